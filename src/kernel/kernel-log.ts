/**
 * @module
 * readKernelLog(): TCP events from the kernel log (SYN flooding, TIME_WAIT bucket overflow,
 * out of memory, too many orphans), or the reason the log could not be read.
 */
export { readKernelLog, parseKernelLog, classifyTcpMessage, type KernelLogEvent, type KernelLogResult, type TcpLogEvent } from './procfs/kmsg.js'

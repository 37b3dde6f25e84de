/**
 * @module
 * The tcpdump filter subset compiled to classic BPF: parse, compile per link type, run, print.
 */
export { parseFilter, type Expr } from './parse.js'
export { compileFilter, compileExpr, LINKTYPE, DEFAULT_SNAPLEN, type LinkType, type CompileOptions } from './compile.js'
export { runFilter, type PacketMeta } from './vm.js'
export { encodeProgram, formatProgram, parseDd, type Insn } from './insn.js'

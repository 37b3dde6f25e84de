/**
 * @module
 * Classic BPF instructions (include/uapi/linux/filter.h, bpf(4)): the opcode constants, the
 * 8-byte `struct sock_filter` encoding the kernel takes with SO_ATTACH_FILTER, and a
 * disassembler in `tcpdump -d`'s format.
 */

export interface Insn { code: number; jt: number; jf: number; k: number }

export const BPF = {
  LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, RET: 0x06, MISC: 0x07,
  W: 0x00, H: 0x08, B: 0x10,
  IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, LEN: 0x80, MSH: 0xa0,
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70, NEG: 0x80, MOD: 0x90, XOR: 0xa0,
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40,
  K: 0x00, X: 0x08, A: 0x10,
  TAX: 0x00, TXA: 0x80,
} as const

/** SKF_AD_OFF + SKF_AD_PROTOCOL: an absolute load there gives skb->protocol (the EtherType) on a cooked socket. */
export const SKF_AD_PROTOCOL = 0xfffff000
/** SKF_AD_OFF + SKF_AD_PKTTYPE */
export const SKF_AD_PKTTYPE = 0xfffff004

/** The bytes of a `struct sock_filter` array (host byte order: u16 code, u8 jt, u8 jf, u32 k). */
export function encodeProgram(prog: readonly Insn[]): Buffer {
  const b = Buffer.alloc(prog.length * 8)
  prog.forEach((i, n) => {
    b.writeUInt16LE(i.code, n * 8)
    b.writeUInt8(i.jt, n * 8 + 2)
    b.writeUInt8(i.jf, n * 8 + 3)
    b.writeUInt32LE(i.k >>> 0, n * 8 + 4)
  })
  return b
}

/** Parses the `{ 0x28, 0, 0, 0x0000000c },` lines that `tcpdump -dd` prints. */
export function parseDd(text: string): Insn[] {
  const out: Insn[] = []
  for (const m of text.matchAll(/\{\s*(0x[0-9a-f]+),\s*(\d+),\s*(\d+),\s*(0x[0-9a-f]+)\s*\}/gi))
    out.push({ code: Number(m[1]), jt: Number(m[2]), jf: Number(m[3]), k: Number(m[4]) })
  return out
}

const hex = (k: number): string => '#0x' + (k >>> 0).toString(16)

/** One instruction as `tcpdump -d` prints it. */
export function formatInsn(i: Insn, pc: number): string {
  const cls = i.code & 0x07
  const size = i.code & 0x18
  const mode = i.code & 0xe0
  const sz = size === BPF.H ? 'h' : size === BPF.B ? 'b' : ''
  const target = (off: number): number => pc + 1 + off
  let op = ''
  let arg = ''
  if (cls === BPF.LD) {
    op = 'ld' + sz
    arg = mode === BPF.IMM ? hex(i.k) : mode === BPF.ABS ? `[${i.k >>> 0}]` : mode === BPF.IND ? `[x + ${i.k}]` : mode === BPF.MEM ? `M[${i.k}]` : mode === BPF.LEN ? '#pktlen' : '?'
  } else if (cls === BPF.LDX) {
    op = mode === BPF.MSH ? 'ldxb' : 'ldx'
    arg = mode === BPF.MSH ? `4*([${i.k}]&0xf)` : mode === BPF.IMM ? hex(i.k) : mode === BPF.MEM ? `M[${i.k}]` : mode === BPF.LEN ? '#pktlen' : '?'
  } else if (cls === BPF.ST || cls === BPF.STX) {
    op = cls === BPF.ST ? 'st' : 'stx'
    arg = `M[${i.k}]`
  } else if (cls === BPF.ALU) {
    const names: Record<number, string> = { 0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0x80: 'neg', 0x90: 'mod', 0xa0: 'xor' }
    op = names[i.code & 0xf0] ?? '?'
    arg = (i.code & 0xf0) === BPF.NEG ? '' : i.code & BPF.X ? 'x' : hex(i.k)
  } else if (cls === BPF.JMP) {
    const names: Record<number, string> = { 0x00: 'ja', 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' }
    op = names[i.code & 0xf0] ?? '?'
    if ((i.code & 0xf0) === BPF.JA) return `(${String(pc).padStart(3, '0')}) ja       ${target(i.k)}`
    arg = (i.code & BPF.X ? 'x' : hex(i.k)).padEnd(17) + `jt ${target(i.jt)}\tjf ${target(i.jf)}`
  } else if (cls === BPF.RET) {
    op = 'ret'
    arg = (i.code & 0x18) === BPF.A ? 'a' : '#' + (i.k >>> 0)
  } else {
    op = (i.code & 0xf8) === BPF.TXA ? 'txa' : 'tax'
  }
  return `(${String(pc).padStart(3, '0')}) ${op.padEnd(8)} ${arg}`.trimEnd()
}

/** The program as `tcpdump -d` prints it. */
export function formatProgram(prog: readonly Insn[]): string {
  return prog.map(formatInsn).join('\n')
}

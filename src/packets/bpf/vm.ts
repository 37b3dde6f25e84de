/**
 * @module
 * A classic BPF interpreter with the kernel's semantics (net/core/filter.c): a load past the end
 * of the packet rejects it, division by zero rejects, SKF_AD_PROTOCOL/PKTTYPE/IFINDEX come from
 * the packet's metadata. Used to check compiled programs by meaning against tcpdump on real
 * captures, and to filter packets read from a file with the same program the kernel would run.
 */
import { BPF, SKF_AD_PKTTYPE, SKF_AD_PROTOCOL, type Insn } from './insn.js'

export interface PacketMeta { protocol?: number; pktType?: number; ifindex?: number }

const SKF_AD_IFINDEX = 0xfffff008

/** Runs prog over pkt; returns the accept length (0: rejected), as the kernel does. */
export function runFilter(prog: readonly Insn[], pkt: Uint8Array, meta: PacketMeta = {}): number {
  let A = 0
  let X = 0
  const M = new Uint32Array(16)
  const len = pkt.length
  const load = (off: number, size: number): number | undefined => {
    if (off >= 0xfffff000) {
      if (off === SKF_AD_PROTOCOL) return meta.protocol ?? 0
      if (off === SKF_AD_PKTTYPE) return meta.pktType ?? 0
      if (off === SKF_AD_IFINDEX) return meta.ifindex ?? 0
      return undefined
    }
    if (off < 0 || off + size > len) return undefined
    if (size === 1) return pkt[off]!
    if (size === 2) return (pkt[off]! << 8) | pkt[off + 1]!
    return ((pkt[off]! << 24) | (pkt[off + 1]! << 16) | (pkt[off + 2]! << 8) | pkt[off + 3]!) >>> 0
  }
  for (let pc = 0; pc < prog.length; pc++) {
    const i = prog[pc]!
    const cls = i.code & 0x07
    const size = (i.code & 0x18) === BPF.H ? 2 : (i.code & 0x18) === BPF.B ? 1 : 4
    const mode = i.code & 0xe0
    switch (cls) {
      case BPF.LD: {
        if (mode === BPF.IMM) A = i.k >>> 0
        else if (mode === BPF.LEN) A = len
        else if (mode === BPF.MEM) A = M[i.k & 15]!
        else {
          const v = load(mode === BPF.IND ? (X + i.k) >>> 0 : i.k >>> 0, size)
          if (v === undefined) return 0
          A = v
        }
        break
      }
      case BPF.LDX: {
        if (mode === BPF.IMM) X = i.k >>> 0
        else if (mode === BPF.LEN) X = len
        else if (mode === BPF.MEM) X = M[i.k & 15]!
        else if (mode === BPF.MSH) {
          const v = load(i.k >>> 0, 1)
          if (v === undefined) return 0
          X = (v & 0xf) * 4
        }
        break
      }
      case BPF.ST: M[i.k & 15] = A; break
      case BPF.STX: M[i.k & 15] = X; break
      case BPF.ALU: {
        const v = i.code & BPF.X ? X : i.k >>> 0
        switch (i.code & 0xf0) {
          case BPF.ADD: A = (A + v) >>> 0; break
          case BPF.SUB: A = (A - v) >>> 0; break
          case BPF.MUL: A = Math.imul(A, v) >>> 0; break
          case BPF.DIV: if (v === 0) return 0; A = Math.floor(A / v) >>> 0; break
          case BPF.MOD: if (v === 0) return 0; A = (A % v) >>> 0; break
          case BPF.AND: A = (A & v) >>> 0; break
          case BPF.OR: A = (A | v) >>> 0; break
          case BPF.XOR: A = (A ^ v) >>> 0; break
          case BPF.LSH: A = v >= 32 ? 0 : (A << v) >>> 0; break
          case BPF.RSH: A = v >= 32 ? 0 : A >>> v; break
          case BPF.NEG: A = (-A) >>> 0; break
        }
        break
      }
      case BPF.JMP: {
        const op = i.code & 0xf0
        if (op === BPF.JA) { pc += i.k; break }
        const v = i.code & BPF.X ? X : i.k >>> 0
        const taken = op === BPF.JEQ ? A === v : op === BPF.JGT ? A > v : op === BPF.JGE ? A >= v : (A & v) !== 0
        pc += taken ? i.jt : i.jf
        break
      }
      case BPF.RET: return (i.code & 0x18) === BPF.A ? A : i.k >>> 0
      case BPF.MISC: if ((i.code & 0xf8) === BPF.TXA) A = X; else X = A; break
    }
  }
  return 0
}

/**
 * @module
 * Sort orders for socket lists. Pure.
 */
import type { Socket } from '../model/socket.js'
import { parseAddressBytes } from '../model/address.js'

export const SORT_KEYS = ['state', 'local', 'remote', 'sport', 'dport', 'recvq', 'sendq', 'rtt', 'retrans', 'pid', 'inode', 'age'] as const
export type SortKey = (typeof SORT_KEYS)[number]

function addrKey(address: string): string {
  try {
    return Buffer.from(parseAddressBytes(address)).toString('hex').padStart(32, '0')
  } catch {
    return address // not an address (should not happen with kernel data): sort as text
  }
}

/** Sorted copy; numeric keys descending where bigger is more interesting (queues, rtt, retrans, age). */
export function sortSockets(list: readonly Socket[], key: SortKey): Socket[] {
  const withKey = list.map((s) => {
    let k: number | string
    switch (key) {
      case 'state': k = s.state; break
      case 'local': k = `${addrKey(s.local.address)}:${String(s.local.port).padStart(5, '0')}`; break
      case 'remote': k = `${addrKey(s.remote.address)}:${String(s.remote.port).padStart(5, '0')}`; break
      case 'sport': k = s.local.port; break
      case 'dport': k = s.remote.port; break
      case 'recvq': k = -s.recvQ; break
      case 'sendq': k = -s.sendQ; break
      case 'rtt': k = -(s.info?.rttUs ?? -1); break
      case 'retrans': k = -(s.info?.totalRetrans ?? -1); break
      case 'pid': k = s.process?.[0]?.pid ?? Number.MAX_SAFE_INTEGER; break
      case 'inode': k = s.inode; break
      case 'age': k = -(s.age?.ms ?? -1); break
    }
    return { s, k }
  })
  withKey.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  return withKey.map((x) => x.s)
}

/**
 * @module
 * State counts per namespace, the fast way (one byte per socket, no objects) when nothing needs
 * the sockets themselves; what `states` and `diagram --live` print.
 */
import { countStates, type SocketQuery, type StateCounts } from '../kernel/source.js'
import { eachNamespace } from './namespaces.js'

export interface NamespaceCounts extends StateCounts {
  netns: string
}

export interface CountOptions extends Omit<SocketQuery, 'netns'> {
  /** --netns spec: undefined (current), name, path, pid or "all". */
  netns?: string
}

export function countPerNamespace(opts: CountOptions): NamespaceCounts[] {
  const { netns, ...query } = opts
  return eachNamespace(netns, opts.procRoot, (target) => countStates({ ...query, netns: target })).map(({ target, value }) => ({ netns: target.label, ...value }))
}

export { countList } from '../kernel/source.js'

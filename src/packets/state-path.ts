/**
 * @module
 * A side's state history ("CLOSE>SYN_SENT>ESTABLISHED>...") as a node of a shared trie of state
 * paths: a connection holds one reference per side instead of a list of changes, and the text of
 * a path is built once for all the connections that take it (captures have a few dozen distinct
 * paths; the trie grows by at most one node per state change, ~100 bytes, and only for new paths).
 */
export class StatePath {
  private children: Map<string, StatePath> | undefined
  /** the child then() gave last, and its state: most paths go on one way (no Map lookup per change) */
  private lastTo = ''
  private lastChild: StatePath | undefined

  /** parent: the path before its last change (undefined for a start) */
  private constructor(readonly text: string, readonly changed: boolean, readonly parent: StatePath | undefined) {}

  private static readonly roots = new Map<string, StatePath>()

  /** The path of a side that starts in `state` and has not changed yet. */
  static start(state: string): StatePath {
    let p = StatePath.roots.get(state)
    if (!p) StatePath.roots.set(state, (p = new StatePath(state, false, undefined)))
    return p
  }

  /** This path followed by a change to `to`. */
  then(to: string): StatePath {
    if (to === this.lastTo) return this.lastChild!
    const kids = (this.children ??= new Map())
    let p = kids.get(to)
    if (!p) kids.set(to, (p = new StatePath(`${this.text}>${to}`, true, this)))
    this.lastTo = to
    this.lastChild = p
    return p
  }

  /** The last state of the path. */
  get last(): string {
    const i = this.text.lastIndexOf('>')
    return i < 0 ? this.text : this.text.slice(i + 1)
  }

  /** This path with its last state replaced by `state` (its start when it has no change). */
  replaceLast(state: string): StatePath {
    return this.parent ? this.parent.then(state) : StatePath.start(state)
  }
}

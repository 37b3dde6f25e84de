/**
 * @module
 * A side's state history ("CLOSE>SYN_SENT>ESTABLISHED>...") as a node of a shared trie of state
 * paths: a connection holds one reference per side instead of a list of changes, and the text of
 * a path is built once for all the connections that take it (captures have a few dozen distinct
 * paths; the trie grows by at most one node per state change, ~100 bytes, and only for new paths).
 */
export class StatePath {
  private children: Map<string, StatePath> | undefined

  private constructor(readonly text: string, readonly changed: boolean) {}

  private static readonly roots = new Map<string, StatePath>()

  /** The path of a side that starts in `state` and has not changed yet. */
  static start(state: string): StatePath {
    let p = StatePath.roots.get(state)
    if (!p) StatePath.roots.set(state, (p = new StatePath(state, false)))
    return p
  }

  /** This path followed by a change to `to`. */
  then(to: string): StatePath {
    const kids = (this.children ??= new Map())
    let p = kids.get(to)
    if (!p) kids.set(to, (p = new StatePath(`${this.text}>${to}`, true)))
    return p
  }
}

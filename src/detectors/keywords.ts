/**
 * Case-insensitive multi-keyword search (Aho–Corasick) over one-byte strings.
 *
 * The prefilter is the only pass over every byte of a scan, so it is a flat DFA:
 * one typed-array lookup per character, all keywords at once, overlapping and
 * nested matches included (a regex alternation reports one keyword per position
 * and is several times slower with hundreds of keywords).
 */
const FOLD = new Uint8Array(256);
for (let c = 0; c < 256; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

export class KeywordMatcher {
  readonly keywords: readonly string[];
  /** delta[state * 256 + byte] = next state. */
  private readonly delta: Uint16Array | Uint32Array;
  /** For each state, the keyword indices that end there (own and via failure links); empty for most. */
  private readonly outputs: Array<readonly number[]>;
  /**
   * States are numbered so that those with outputs come last: the scan loop tells a hit
   * by comparing the state with this number, without a second table lookup per character.
   */
  private readonly firstOutputState: number;
  private readonly lengths: Int32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    // The trie: child[state * 256 + byte] = next state, 0 for none (the root is no one's child).
    const encoded = keywords.map((keyword) => {
      const bytes = Buffer.from(keyword.toLowerCase(), 'latin1');
      if (bytes.length === 0) throw new Error('empty keyword');
      return bytes;
    });
    const maxStates = 1 + encoded.reduce((n, k) => n + k.length, 0);
    const child = new Int32Array(maxStates * 256);
    const own: number[][] = [[]];
    encoded.forEach((bytes, index) => {
      let state = 0;
      for (const raw of bytes) {
        const b = FOLD[raw]!;
        let next = child[state * 256 + b]!;
        if (next === 0) {
          next = own.length;
          own.push([]);
          child[state * 256 + b] = next;
        }
        state = next;
      }
      own[state]!.push(index);
    });
    const states = own.length;
    const childBytes: number[][] = Array.from({ length: states }, () => []);
    for (let state = 0; state < states; state++) {
      for (let b = 0; b < 256; b++) if (child[state * 256 + b] !== 0) childBytes[state]!.push(b);
    }
    // Failure links and outputs, breadth-first (a state's failure target is shallower, so done first).
    const fail = new Int32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    const bfs: number[] = [0];
    for (let head = 0; head < bfs.length; head++) {
      const state = bfs[head]!;
      for (const b of childBytes[state]!) {
        const next = child[state * 256 + b]!;
        let f = state === 0 ? -1 : fail[state]!;
        while (f >= 0 && child[f * 256 + b] === 0) f = f === 0 ? -1 : fail[f]!;
        fail[next] = f < 0 ? 0 : child[f * 256 + b]!;
        for (const o of outputs[fail[next]!]!) outputs[next]!.push(o);
        bfs.push(next);
      }
    }
    // Numbering: states without outputs first (the root, which has none, stays 0), then the rest,
    // so the scan loop tells a hit by comparing numbers instead of a second lookup per character.
    const order: number[] = [];
    for (let state = 0; state < states; state++) if (outputs[state]!.length === 0) order.push(state);
    this.firstOutputState = order.length;
    for (let state = 0; state < states; state++) if (outputs[state]!.length > 0) order.push(state);
    const renumbered = new Uint32Array(states);
    order.forEach((old, state) => (renumbered[old] = state));
    // The DFA: a state's row is its failure target's row (already complete, in breadth-first
    // order) with its own children written over it; upper case then reads as lower case.
    const delta = states < 65536 ? new Uint16Array(states * 256) : new Uint32Array(states * 256);
    for (const state of bfs) {
      const row = renumbered[state]! * 256;
      if (state !== 0) delta.copyWithin(row, renumbered[fail[state]!]! * 256, renumbered[fail[state]!]! * 256 + 256);
      for (const b of childBytes[state]!) delta[row + b] = renumbered[child[state * 256 + b]!]!;
    }
    for (let state = 0; state < states; state++) delta.copyWithin(state * 256 + 65, state * 256 + 97, state * 256 + 123);
    this.delta = delta;
    this.outputs = order.map((old) => outputs[old]!);
    this.lengths = Int32Array.from(keywords, (k) => Buffer.byteLength(k, 'latin1'));
  }

  /**
   * Calls `onHit(keywordIndex, start)` for every occurrence of every keyword, in order of
   * their end position. Characters above 0xff (UTF-16 text) match nothing.
   */
  scan(text: string | Uint8Array, onHit: (keyword: number, start: number) => void): void {
    const delta = this.delta;
    const firstOutput = this.firstOutputState;
    const outputs = this.outputs;
    const lengths = this.lengths;
    let state = 0;
    if (typeof text !== 'string') {
      // The bytes of a Latin-1 text: same offsets, and a typed array is faster to walk than a string.
      for (let i = 0, n = text.length; i < n; i++) {
        state = delta[(state << 8) | text[i]!]!;
        if (state >= firstOutput) {
          const out = outputs[state]!;
          for (let j = 0; j < out.length; j++) onHit(out[j]!, i + 1 - lengths[out[j]!]!);
        }
      }
      return;
    }
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      state = c > 255 ? 0 : delta[(state << 8) | c]!;
      if (state >= firstOutput) {
        const out = outputs[state]!;
        for (let j = 0; j < out.length; j++) onHit(out[j]!, i + 1 - lengths[out[j]!]!);
      }
    }
  }

}

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
  private readonly hasOutput: Uint8Array;
  private readonly lengths: Int32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const gotoMaps: Array<Map<number, number>> = [new Map()];
    const own: number[][] = [[]];
    keywords.forEach((keyword, index) => {
      const bytes = Buffer.from(keyword.toLowerCase(), 'latin1');
      if (bytes.length === 0) throw new Error('empty keyword');
      let state = 0;
      for (const raw of bytes) {
        const b = FOLD[raw]!;
        let next = gotoMaps[state]!.get(b);
        if (next === undefined) {
          next = gotoMaps.length;
          gotoMaps.push(new Map());
          own.push([]);
          gotoMaps[state]!.set(b, next);
        }
        state = next;
      }
      own[state]!.push(index);
    });
    const states = gotoMaps.length;
    const delta = states < 65536 ? new Uint16Array(states * 256) : new Uint32Array(states * 256);
    const fail = new Uint32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    // Breadth-first: a state's failure target is always computed before the state itself.
    const queue: number[] = [];
    for (let b = 0; b < 256; b++) {
      const next = gotoMaps[0]!.get(b);
      if (next !== undefined) {
        delta[b] = next;
        fail[next] = 0;
        queue.push(next);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const o of outputs[fail[state]!]!) outputs[state]!.push(o);
      for (let b = 0; b < 256; b++) {
        const next = gotoMaps[state]!.get(b);
        if (next !== undefined) {
          fail[next] = delta[fail[state]! * 256 + b]!;
          delta[state * 256 + b] = next;
          queue.push(next);
        } else {
          delta[state * 256 + b] = delta[fail[state]! * 256 + b]!;
        }
      }
    }
    // Fold case into the table itself, so the scan loop does one lookup per character.
    for (let state = 0; state < states; state++) {
      for (let b = 65; b <= 90; b++) delta[state * 256 + b] = delta[state * 256 + b + 32]!;
    }
    this.delta = delta;
    this.outputs = outputs;
    this.hasOutput = Uint8Array.from(outputs, (o) => (o.length > 0 ? 1 : 0));
    this.lengths = Int32Array.from(keywords, (k) => Buffer.byteLength(k, 'latin1'));
  }

  /**
   * Calls `onHit(keywordIndex, start)` for every occurrence of every keyword, in order of
   * their end position. Characters above 0xff (UTF-16 text) match nothing.
   */
  scan(text: string | Uint8Array, onHit: (keyword: number, start: number) => void): void {
    const delta = this.delta;
    const hasOutput = this.hasOutput;
    const outputs = this.outputs;
    const lengths = this.lengths;
    let state = 0;
    if (typeof text !== 'string') {
      // The bytes of a Latin-1 text: same offsets, and a typed array is faster to walk than a string.
      for (let i = 0, n = text.length; i < n; i++) {
        state = delta[(state << 8) | text[i]!]!;
        if (hasOutput[state] !== 0) {
          const out = outputs[state]!;
          for (let j = 0; j < out.length; j++) onHit(out[j]!, i + 1 - lengths[out[j]!]!);
        }
      }
      return;
    }
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      state = c > 255 ? 0 : delta[(state << 8) | c]!;
      if (hasOutput[state] !== 0) {
        const out = outputs[state]!;
        for (let j = 0; j < out.length; j++) onHit(out[j]!, i + 1 - lengths[out[j]!]!);
      }
    }
  }

}

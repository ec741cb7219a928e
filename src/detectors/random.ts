import type { RandomSource } from './types.js';

export const ALPHABETS = {
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  lower: 'abcdefghijklmnopqrstuvwxyz0123456789',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  b64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
  base32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
} as const;

/** Deterministic PRNG (mulberry32) so generated fixtures are the same on every run. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    chars(alphabet, length) {
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
      return out;
    },
  };
}

/**
 * Expands `{{kind:N}}` templates (see Detector.examples) and `{{gen}}`.
 */
export function expandTemplate(
  template: string,
  rand: RandomSource,
  generate?: (rand: RandomSource) => string,
): string {
  return template.replace(/\{\{(\w+)(?::(\d+))?\}\}/g, (whole, kind: string, n?: string) => {
    if (kind === 'gen') {
      if (!generate) throw new Error(`template ${whole} used by a detector without generate()`);
      return generate(rand);
    }
    const alphabet = (ALPHABETS as Record<string, string>)[kind];
    if (!alphabet || !n) throw new Error(`unknown template ${whole}`);
    return rand.chars(alphabet, Number(n));
  });
}

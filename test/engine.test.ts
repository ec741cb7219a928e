import { describe, expect, it } from 'vitest';
import { keywordStartsToken, SecretScanner } from '../src/detectors/engine.js';
import { KeywordMatcher } from '../src/detectors/keywords.js';
import type { Detector } from '../src/detectors/types.js';

describe('KeywordMatcher', () => {
  it('reports every occurrence, overlapping and nested, case-insensitively, in strings and bytes', () => {
    const m = new KeywordMatcher(['password', 'pass', 'word', 'begin private key', 'private key-----']);
    const text = 'PassWord: x -----BEGIN PRIVATE KEY-----';
    const hits: Array<[string, number]> = [];
    m.scan(text, (k, at) => hits.push([m.keywords[k]!, at]));
    expect(hits).toEqual([
      ['pass', 0],
      ['password', 0],
      ['word', 4],
      ['begin private key', 17],
      ['private key-----', 23],
    ]);
    const fromBytes: Array<[string, number]> = [];
    m.scan(Buffer.from(text, 'latin1'), (k, at) => fromBytes.push([m.keywords[k]!, at]));
    expect(fromBytes).toEqual(hits);
  });

  it('finds exactly what a naive search finds, on random keywords and texts', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    // A small alphabet makes keywords share prefixes and suffixes (deep failure links).
    const alphabet = 'abAB-_: ';
    const word = (n: number) => Array.from({ length: n }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 50; round++) {
      const keywords = [...new Set(Array.from({ length: 1 + rand(30) }, () => word(1 + rand(6)).toLowerCase()))];
      const m = new KeywordMatcher(keywords);
      const text = word(2000);
      const lower = text.toLowerCase();
      const expected: string[] = [];
      for (let end = 1; end <= text.length; end++) {
        for (let k = 0; k < keywords.length; k++) {
          const start = end - keywords[k]!.length;
          if (start >= 0 && lower.startsWith(keywords[k]!, start)) expected.push(`${k}@${start}`);
        }
      }
      const found: string[] = [];
      m.scan(Buffer.from(text, 'latin1'), (k, at) => found.push(`${k}@${at}`));
      // Same hits; the order within one end position is not part of the contract.
      expect(found.sort()).toEqual(expected.sort());
    }
  });

  it('ignores characters above 0xff', () => {
    const m = new KeywordMatcher(['key']);
    const hits: number[] = [];
    m.scan('k\u4e00ey key', (_k, at) => hits.push(at));
    expect(hits).toEqual([5]);
  });
});

describe('keywordStartsToken', () => {
  it('is true only when the keyword is the literal start of the secret', () => {
    expect(keywordStartsToken(String.raw`\b(?<secret>ghp_[A-Za-z0-9]{36})\b`, 'ghp_')).toBe(true);
    expect(keywordStartsToken(String.raw`\b(?<secret>(?:AKIA|ASIA)[A-Z2-7]{16})\b`, 'asia')).toBe(true);
    expect(keywordStartsToken(String.raw`\b(?<secret>dop_v1_[a-f0-9]{64})\b`, 'dop_v1_')).toBe(true);
    expect(keywordStartsToken(String.raw`\b(?<secret>AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134})`, ':apa91b')).toBe(false);
    expect(keywordStartsToken(String.raw`\b(?<secret>key-[0-9a-f]{32})\b`, 'mailgun')).toBe(false);
    expect(keywordStartsToken(String.raw`(?:api_key)\s*=\s*(?<secret>\w{32})`, 'api_key')).toBe(false);
    expect(keywordStartsToken(String.raw`\b(?<secret>sk\.eyJ[\w-]{20,400})`, 'sk.eyj')).toBe(true);
  });
});

describe('SecretScanner', () => {
  const detector = (over: Partial<Detector>): Detector => ({
    id: 'x',
    title: 'X token',
    category: 'saas',
    keywords: ['xtok_'],
    pattern: String.raw`\b(?<secret>xtok_[a-z0-9]{20})\b`,
    prefixLength: 5,
    examples: { positive: [], negative: [] },
    ...over,
  });

  it('skips a token prefix inside a word, finds it at a word boundary', () => {
    const s = new SecretScanner([detector({})]);
    expect(s.scan('axtok_abcdefghij0123456789 ').map((m) => m.secret)).toEqual([]);
    expect(s.scan('t=xtok_abcdefghij0123456789 ').map((m) => m.start)).toEqual([2]);
  });

  it('reports the secret offset exactly even when its text occurs earlier in the match', () => {
    const s = new SecretScanner([detector({ id: 'u', keywords: ['://'], pattern: String.raw`mongodb://(?<handle>\w+):(?<secret>\w{3,})@`, prefixLength: 0 })]);
    const [m] = s.scan('mongodb://Zq7Kp2:Zq7Kp2@db'); // nhi:allow test data
    expect(m?.start).toBe('mongodb://Zq7Kp2:'.length);
  });

  it('prefers a specific detector over a generic one on the same span', () => {
    const generic = detector({ id: 'g', category: 'generic', keywords: ['token'], pattern: String.raw`token\s*=\s*"(?<secret>[^"]{8,})"`, prefixLength: 0 });
    const s = new SecretScanner([generic, detector({})]);
    expect(s.scan('token = "xtok_abcdefghij0123456789"').map((m) => m.detector.id)).toEqual(['x']); // nhi:allow test data
  });
});

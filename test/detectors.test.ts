import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../src/detectors/index.js';
import { SecretScanner } from '../src/detectors/engine.js';
import { expandTemplate, seededRandom } from '../src/detectors/random.js';

const scanner = new SecretScanner(DETECTORS);
const CATEGORIES = new Set(['cloud', 'scm', 'ci', 'package-registry', 'payment', 'messaging', 'ai', 'observability', 'database', 'private-key', 'auth', 'saas', 'generic']);

describe('detector catalogue', () => {
  it('covers at least 150 credential types', () => {
    expect(DETECTORS.length).toBeGreaterThanOrEqual(150);
  });

  it.each(DETECTORS.map((d) => [d.id, d] as const))('%s is well formed', (_id, d) => {
    expect(d.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(d.title.length).toBeGreaterThan(3);
    expect(CATEGORIES.has(d.category)).toBe(true);
    expect(d.keywords.length).toBeGreaterThan(0);
    expect(d.examples.positive.length).toBeGreaterThan(0);
    expect(d.examples.negative.length).toBeGreaterThan(0);
    expect(d.pattern).not.toMatch(/\(\?<[=!]|\(\?[=!]|\\[1-9]/); // no lookaround, no backreferences
    // Positive examples are generated, never literal credentials committed to the repository.
    for (const p of d.examples.positive) expect(p, `${d.id}: positive example must use a {{template}}`).toMatch(/\{\{\w+(:\d+)?\}\}/);
  });
});

describe.each(DETECTORS.map((d) => [d.id, d] as const))('detector %s', (_id, d) => {
  const rand = seededRandom(0x5eed ^ d.id.length);
  it('finds every positive example', () => {
    for (const template of d.examples.positive) {
      const text = expandTemplate(template, rand, d.generate);
      const ids = scanner.scan(text, 'example.txt').map((m) => m.detector.id);
      expect(ids, `positive example not found: ${JSON.stringify(text)}`).toContain(d.id);
    }
  });
  it('stays silent on every negative example', () => {
    for (const template of d.examples.negative) {
      const text = expandTemplate(template, rand, d.generate);
      const ids = scanner.scan(text, 'example.txt').map((m) => m.detector.id);
      expect(ids, `negative example matched: ${JSON.stringify(text)}`).not.toContain(d.id);
    }
  });
  if (d.generate) {
    it('generates values its own pattern accepts', () => {
      for (let i = 0; i < 5; i++) {
        const value = d.generate!(rand);
        const found = scanner.scan(`${d.keywords[0]} = "${value}"\n`, 'example.txt').some((m) => m.detector.id === d.id);
        const foundBare = scanner.scan(`${value}\n`, 'example.txt').some((m) => m.detector.id === d.id);
        expect(found || foundBare, `generated value not detected: ${value}`).toBe(true);
      }
    });
  }
});

import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { OWASP_NHI } from '../src/engine/rule.js';
import { SEVERITIES } from '../src/core/severity.js';

const rulesDir = fileURLToPath(new URL('../rules/', import.meta.url));
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''));

describe('rule registry', () => {
  it('registers every rule file, and nothing else', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([...ruleFiles].sort());
  });

  it('has unique ids', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it.each(ruleFiles)('rule file %s: id equals file name, has docs and a test', async (file) => {
    const mod = (await import(pathToFileURL(`${rulesDir}${file}.ts`).href)) as { default: (typeof RULES)[number] };
    const rule = mod.default;
    expect(rule.id).toBe(file);
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(SEVERITIES).toContain(rule.severity);
    expect(rule.description.length, 'description explains why it matters').toBeGreaterThan(80);
    expect(rule.remediation.summary.length).toBeGreaterThan(20);
    expect(rule.remediation.steps.length).toBeGreaterThan(0);
    expect(rule.references.length).toBeGreaterThan(0);
    for (const ref of rule.references) expect(ref).toMatch(/^https:\/\//);
    if (rule.owasp) expect(Object.keys(OWASP_NHI)).toContain(rule.owasp);
    expect(existsSync(`${rulesDir}${file}.test.ts`), `rules/${file}.test.ts must exist`).toBe(true);
  });
});

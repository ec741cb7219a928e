import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/model.js';
import { fakeGithubTokens } from '../test/helpers/cli.js';
import { n8nFixtureInventory, n8nInventory, n8nWorkflow } from '../test/helpers/n8n-inventory.js';
import { ruleCtx } from '../test/helpers/workflow-inventory.js';
import rule from './n8n-credential-in-parameters.js';

const brief = (f: Finding) => [f.location?.path, f.location?.line, f.location?.column, f.evidence?.parameter, f.evidence?.detector ?? null];
const F = 'wf.json';

function http(parameters: Record<string, unknown>, name = 'Call API') {
  return { parameters: { method: 'GET', url: 'https://api.example.com/v1/items', options: {}, ...parameters }, id: 'h1', name, type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2, position: [0, 0] };
}
const headers = (...pairs: Array<[string, string]>) => ({ sendHeaders: true, headerParameters: { parameters: pairs.map(([name, value]) => ({ name, value })) } });
const query = (...pairs: Array<[string, string]>) => ({ sendQuery: true, queryParameters: { parameters: pairs.map(([name, value]) => ({ name, value })) } });
const run = (...nodes: unknown[]) => rule.evaluate(n8nInventory({ [F]: n8nWorkflow(nodes) }), ruleCtx());

describe('n8n-credential-in-parameters over the fixture instance', () => {
  it('fires on a literal x-api-key header and on an api_key in a URL, at the parameter', async () => {
    const { inventory } = await n8nFixtureInventory();
    const findings = rule.evaluate(inventory, ruleCtx());
    expect(findings.map(brief)).toEqual([
      ['workflows/all.json', 37, 17, 'header:x-api-key', 'http-api-key-header'],
      ['workflows/separate/nightly-report.json', 62, 16, 'url:api_key', 'generic-api-key'],
    ]);
    expect(findings[0]!.message).toContain('Node "Enrich lead" of workflow "Lead intake" (workflows/all.json#wf1)');
    expect(findings[1]).toMatchObject({ secret: { type: 'generic-api-key' }, resource: { id: 'workflows/separate/nightly-report.json', provider: 'n8n', kind: 'workflow' } });
    // Previews only.
    expect(JSON.stringify(findings)).not.toMatch(/7Qm2Lp9Zt4Kw|FixtureFake9xQ2mZ7LpW4/);
  });
});

describe('n8n-credential-in-parameters: cases', () => {
  it('names the detector that recognises a token, in a header or a query parameter', () => {
    const [token] = fakeGithubTokens(1, 7);
    const findings = run(http({ ...headers(['Authorization', `Bearer ${token!}`]), ...query(['access_token', token!]) }));
    expect(findings.map((f) => [f.evidence?.parameter, f.evidence?.detector])).toEqual([
      ['header:Authorization', expect.stringMatching(/^github/)],
      ['query:access_token', expect.stringMatching(/^github/)],
    ]);
    expect(JSON.stringify(findings)).not.toContain(token!);
  });

  it('judges credential-named parameters by the look of the value (older node versions too)', () => {
    const v1 = { headerParametersUi: { parameter: [{ name: 'X-Auth-Token', value: 'Qz7pL2mW9xK4vT8nR3' }] } }; // nhi:allow
    const findings = run(http({ ...query(['apikey', 'k9Lm2Qw7Zx4Pv8Rt3N'], ['sig', 'k9Lm2Qw7Zx4Pv8Rt3N']) }), { ...http(v1, 'Old node'), id: 'h2', typeVersion: 1 }); // nhi:allow
    expect(findings.map((f) => [f.evidence?.parameter, f.evidence?.detector ?? null, f.confidence])).toEqual([
      ['query:apikey', 'generic-api-key', 'high'],
      // No detector knows a `sig` parameter: the name and the look of the value decide, with medium confidence.
      ['query:sig', null, 'medium'],
      ['header:X-Auth-Token', expect.any(String), 'high'],
    ]);
    expect(findings[1]!.secret).toEqual({ type: 'literal-credential', redacted: '…3N' });
  });

  it('stays silent on expressions, templates, placeholders and ordinary headers', () => {
    expect(
      run(
        http({
          url: '=https://api.example.com/v1/items?api_key={{ $env.API_KEY }}',
          ...headers(
            ['Authorization', '=Bearer {{ $env.API_TOKEN }}'],
            ['x-api-key', '{{ $credentials.service.apiKey }}'],
            ['Authorization', 'Bearer YOUR_API_KEY'],
            ['api-key', '<api-key>'],
            // A template export names the constant to paste in (seen in a real one).
            ['x-api-key', 'SUPADATA_API_KEY'],
            ['Authorization', 'Bearer OPENAI_TOKEN'],
            ['Accept', 'application/json'],
            ['X-Request-Id', '3f1c2b7e-0000-4000-8000-000000000001'],
          ),
          ...query(['token', 'xxxxxxxxxxxxxxxx'], ['page', '2'], ['key', 'customers']),
        }),
      ),
    ).toEqual([]);
  });

  it('keeps fingerprints when nodes move, and tells two same-named parameters apart', () => {
    const node = http(headers(['x-api-key', 'Qz7pL2mW9xK4vT8nR3'], ['x-api-key', 'Qz7pL2mW9xK4vT8nR4'])); // nhi:allow
    const a = run(node);
    const b = run({ ...http({}, 'Other'), id: 'h0' }, node);
    expect(new Set(a.map((f) => f.fingerprint)).size).toBe(2);
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
  });
});

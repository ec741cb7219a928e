import { describe, expect, it } from 'vitest';
import { allow, ctx, daysAgo, inventory, role } from '../test/helpers/aws-inventory.js';
import rule from './unused-role.js';

describe('unused-role', () => {
  it('reports a role not assumed for more than 90 days, and one never assumed since its creation long ago', () => {
    const idle = role('legacy-etl', { created: daysAgo(500), lastUsed: daysAgo(200), owners: [{ owner: 'data', source: 'tag:team' }], attributes: { roleLastUsedRegion: 'us-east-1' } });
    const never = role('forgotten', { created: daysAgo(120), lastUsed: null });
    const findings = rule.evaluate(inventory({ identities: [idle, never] }), ctx());
    expect(findings).toHaveLength(2);
    const byName = Object.fromEntries(findings.map((f) => [f.resource!.name, f]));
    expect(byName['legacy-etl']).toMatchObject({ ruleId: 'unused-role', severity: 'low', evidence: { idleDays: 200, thresholdDays: 90, owner: 'data (tag:team)' } });
    expect(byName['legacy-etl']!.message).toContain('200 days');
    expect(byName['legacy-etl']!.message).toContain('us-east-1');
    expect(byName['forgotten']!.message).toContain('never been assumed');
    expect(byName['forgotten']!.evidence).toMatchObject({ lastUsed: 'never' });
  });

  it('raises an unused administrator role to medium', () => {
    const admin = role('break-glass', { created: daysAgo(500), lastUsed: null });
    const [f] = rule.evaluate(inventory({ identities: [admin], grants: [allow(admin, '*', '*', { source: 'arn:aws:iam::aws:policy/AdministratorAccess' })] }), ctx());
    expect(f).toMatchObject({ severity: 'medium', evidence: { admin: true } });
    expect(f!.message).toContain('AdministratorAccess');
  });

  it('stays silent on recently used, young, unknown-use and service-linked roles', () => {
    const identities = [
      role('busy', { created: daysAgo(500), lastUsed: daysAgo(3) }),
      role('new', { created: daysAgo(30), lastUsed: null }),
      role('unknown', { created: daysAgo(500) }),
      role('AWSServiceRoleForECS', { serviceLinked: true, created: daysAgo(500), lastUsed: null }),
    ];
    expect(rule.evaluate(inventory({ identities }), ctx())).toEqual([]);
  });

  it('honours a configured threshold', () => {
    const r = role('monthly', { created: daysAgo(400), lastUsed: daysAgo(40) });
    expect(rule.evaluate(inventory({ identities: [r] }), ctx())).toEqual([]);
    expect(rule.evaluate(inventory({ identities: [r] }), ctx({ unusedRoleDays: 30 }))).toHaveLength(1);
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ScanOptions } from '../../src/core/connector.js';
import { awsIamConnector } from './index.js';

const ACME = fileURLToPath(new URL('../../test/fixtures/aws/acme', import.meta.url));
const base: ScanOptions = { history: false, staged: false, maxFileSize: Infinity };

describe('aws-iam connector: when it applies', () => {
  it('takes a folder of exports, but not in diff-only scans (pre-commit, pull requests)', async () => {
    const target = { root: ACME, display: 'acme' };
    expect(await awsIamConnector.applies(target, base)).toBe(true);
    expect(await awsIamConnector.applies(target, { ...base, staged: true })).toBe(false);
    expect(await awsIamConnector.applies(target, { ...base, since: 'main', history: true })).toBe(false);
  });

  it('takes the live target only when --aws asked for it', async () => {
    const live = { root: 'aws:default', display: 'aws', live: 'aws' as const };
    expect(awsIamConnector.live).toBe('aws');
    expect(await awsIamConnector.applies(live, { ...base, aws: {} })).toBe(true);
    expect(await awsIamConnector.applies(live, base)).toBe(false);
  });
});

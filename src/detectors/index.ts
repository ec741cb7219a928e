import ai from './data/ai.js';
import auth from './data/auth.js';
import cloud from './data/cloud.js';
import credentialFiles from './data/credential-files.js';
import database from './data/database.js';
import generic from './data/generic.js';
import messaging from './data/messaging.js';
import observability from './data/observability.js';
import packageRegistry from './data/package-registry.js';
import payment from './data/payment.js';
import privateKeys from './data/private-keys.js';
import saas from './data/saas.js';
import scmCi from './data/scm-ci.js';
import type { Detector } from './types.js';

/** Every built-in detector, in a stable order. */
export const DETECTORS: readonly Detector[] = [
  ...cloud,
  ...credentialFiles,
  ...privateKeys,
  ...scmCi,
  ...packageRegistry,
  ...auth,
  ...payment,
  ...messaging,
  ...ai,
  ...observability,
  ...database,
  ...saas,
  ...generic,
];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.id === id);
}

import type { Connector } from '../src/core/connector.js';
import { awsIamConnector } from './aws-iam/index.js';
import { filesystemConnector } from './filesystem/index.js';
import { gitConnector } from './git/index.js';
import { githubActionsConnector } from './github-actions/index.js';
import { gitlabCiConnector } from './gitlab-ci/index.js';
import { n8nConnector } from './n8n/index.js';

/** Every connector `nhi scan` considers for each target, in order. */
export const CONNECTORS: readonly Connector[] = [filesystemConnector, gitConnector, githubActionsConnector, gitlabCiConnector, n8nConnector, awsIamConnector];

import type { Identity, Inventory, Location, SecretOccurrence } from '../src/core/model.js';
import { isListedInExport, listedInExports } from '../src/core/exports.js';
import { COMPOSITE_ACTION, type NamedValue, type WorkflowAttributes } from '../src/core/workflow.js';
import { buildFinding, defineRule } from '../src/engine/rule.js';
import { nodeExtras } from '../connectors/n8n/parse.js';
import { ownerEvidence, workflowsOf, type WorkflowItem } from '../src/workflow/findings.js';

/** Working-tree copies come first, then the earliest commit that introduced the secret. */
function preferred(a: SecretOccurrence, b: SecretOccurrence): SecretOccurrence {
  const rank = (o: SecretOccurrence) => (o.origin === 'history' ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) < rank(b) ? a : b;
  const da = a.location.commit?.date ?? '';
  const db = b.location.commit?.date ?? '';
  if (da !== db) return da < db ? a : b;
  return a.location.line <= b.location.line ? a : b;
}

/* ─────────────── which workflow, and which part of it, a secret is written in ─────────────── */

/** A part of a workflow definition: where it starts and ends (line and column, inclusive), and how to name it. */
interface Part {
  field: string;
  from: [number, number];
  to: [number, number];
}

const END = Number.MAX_SAFE_INTEGER;
const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const lineCount = (text: string) => text.replace(/\n+$/, '').split('\n').length;

/**
 * The parts of a GitHub Actions or GitLab CI workflow written in `path`. The model keeps where parts start, not
 * where they end: a key's value is taken to span its scalar's lines, a `run` script its text's lines, a step
 * the lines up to the next step (the last one, to the end of its job), a job the lines up to the next job.
 */
function ciParts(item: WorkflowItem, path: string): Part[] {
  const { identity, workflow } = item;
  const gitlab = workflow.platform === 'gitlab-ci';
  const parts: Part[] = [];
  const named = (prefix: string, values: NamedValue[] | undefined) => {
    for (const v of values ?? []) {
      if (v.valueAt.path !== path) continue;
      const to = v.value.includes('\n') ? v.valueAt.line + lineCount(v.value) : v.valueAt.line;
      parts.push({ field: `${prefix}.${v.name}`, from: [v.at.line, v.at.column], to: [to, END] });
    }
  };
  named(gitlab ? 'variables' : 'env', workflow.env);
  const jobs = workflow.jobs.filter((j) => j.at.path === path).sort((a, b) => a.at.line - b.at.line);
  jobs.forEach((job, j) => {
    const jobEnd = j + 1 < jobs.length ? Math.max(job.at.line, jobs[j + 1]!.at.line - 1) : END;
    const jobField = identity.kind === COMPOSITE_ACTION && job.id === 'runs' ? 'runs' : `jobs.${job.id}`;
    parts.push({ field: jobField, from: [job.at.line, job.at.column], to: [jobEnd, END] });
    named(`${jobField}.${gitlab ? 'variables' : 'env'}`, job.env);
    named(`${jobField}.with`, job.with);
    named(`${jobField}.secrets`, job.secrets);
    named(`${jobField}.id_tokens`, job.idTokens);
    const steps = job.steps.filter((st) => st.at.path === path).sort((a, b) => a.at.line - b.at.line);
    steps.forEach((step, i) => {
      const stepEnd = i + 1 < steps.length ? Math.max(step.at.line, steps[i + 1]!.at.line - 1) : jobEnd;
      // GitLab's steps are a job's before_script, script and after_script keys.
      const stepField = gitlab ? `${jobField}.${step.name ?? 'script'}` : `${jobField}.steps[${step.index}]`;
      parts.push({ field: stepField, from: [step.at.line, step.at.column], to: [stepEnd, END] });
      if (!gitlab && step.run && step.run.at.path === path) {
        parts.push({ field: `${stepField}.run`, from: [step.run.at.line, step.run.at.column], to: [Math.min(stepEnd, step.run.at.line + lineCount(step.run.text)), END] });
      }
      named(`${stepField}.with`, step.with);
      named(`${stepField}.env`, step.env);
    });
  });
  return parts;
}

/** The nodes of an n8n workflow, and their `parameters` maps. */
function n8nParts(item: WorkflowItem, path: string): Part[] {
  const parts: Part[] = [];
  for (const node of item.workflow.n8n?.nodes ?? []) {
    if (node.at.path !== path) continue;
    const { extent } = nodeExtras(node);
    if (!extent) continue;
    const field = `nodes[${JSON.stringify(node.name)}]`;
    parts.push({ field, from: [node.at.line, node.at.column], to: [extent.end.line, extent.end.column] });
    const params = extent.parameters;
    if (params) parts.push({ field: `${field}.parameters`, from: [params.at.line, params.at.column], to: [params.end.line, params.end.column] });
  }
  return parts;
}

/** The innermost part holding `at`: the one that starts last; of parts starting there, the one that ends first, then the last listed. */
function fieldAt(parts: Part[], at: Location): string | undefined {
  const point: [number, number] = [at.line, at.column];
  let best: Part | undefined;
  for (const p of parts) {
    if (before(point, p.from) || before(p.to, point)) continue;
    if (!best || before(best.from, p.from) || (p.from[0] === best.from[0] && p.from[1] === best.from[1] && !before(best.to, p.to))) best = p;
  }
  return best?.field;
}

/** The files a workflow identity is defined in: its file; for GitLab CI, the included files too. */
function definitionFiles(identity: Identity, workflow: WorkflowAttributes): string[] {
  if (workflow.files?.length) return workflow.files;
  const file = identity.definedAt?.path ?? (workflow.platform === 'n8n' ? identity.id.replace(/#[^#/]*$/, '') : identity.id);
  return [file];
}

type WorkflowEvidence = Record<string, string>;

/** Finds, for an occurrence, the workflow whose definition holds it and the field it is in. */
function workflowLocator(inventory: Inventory): (o: SecretOccurrence) => WorkflowEvidence | undefined {
  let byFile: Map<string, WorkflowItem[]> | undefined;
  return (o) => {
    if (!byFile) {
      byFile = new Map();
      for (const item of workflowsOf(inventory, { actions: true })) {
        for (const file of definitionFiles(item.identity, item.workflow)) byFile.set(file, [...(byFile.get(file) ?? []), item]);
      }
    }
    let items = byFile.get(o.location.path);
    if (!items?.length) return undefined;
    const inTree = o.origin === 'worktree' && !o.location.commit;
    // An n8n export of several workflows (`--all`): the workflow whose object holds the line.
    if (items.length > 1 && items.every((i) => i.workflow.platform === 'n8n' && i.identity.definedAt?.path === o.location.path)) {
      if (!inTree) return undefined; // an old version of the file: its lines are not today's
      const sorted = [...items].sort((a, b) => a.identity.definedAt!.line - b.identity.definedAt!.line);
      const holder = sorted.filter((i) => i.identity.definedAt!.line <= o.location.line).pop();
      if (!holder) return undefined;
      items = [holder];
    }
    const ids = new Set(items.map((i) => i.identity.id));
    if (ids.size !== 1) return undefined; // the same path in two scanned folders defines different workflows
    const item = items[0]!;
    const evidence: WorkflowEvidence = { workflow: item.identity.id };
    if (inTree) {
      const fields = new Set(items.map((i) => fieldAt(i.workflow.platform === 'n8n' ? n8nParts(i, o.location.path) : ciParts(i, o.location.path), o.location)));
      const [field] = fields;
      if (fields.size === 1 && field !== undefined) evidence.field = field;
    }
    return { ...evidence, ...ownerEvidence(item.identity) };
  };
}

export default defineRule({
  id: 'hardcoded-secret',
  title: 'Hard-coded credential',
  severity: 'high',
  owasp: 'NHI2:2025',
  description: `A credential (token, key, password or private key) is written into a file or was committed to git history.
Anyone who can read the repository, a fork, a CI log, a backup or a built artefact can use it, and removing the line does not
remove it from history. Each finding names the credential type, where it is, and for history the commit that introduced it.
Severity comes from the credential type: cloud and source-control tokens and private keys are critical or high, lower-impact
formats lower.

When the file is a workflow's definition (a GitHub Actions workflow or composite action, a GitLab CI file or one it includes,
an n8n workflow export), the finding's evidence names the workflow (\`workflow\`, its identity id), the part of it the
credential is written in (\`field\`: \`jobs.deploy.steps[2].env.AWS_SECRET_ACCESS_KEY\`, \`jobs.build.steps[0].run\`,
\`jobs.deploy.variables.X\` for GitLab, \`nodes["HTTP Request"].parameters\` for n8n; working-tree copies only) and the
workflow's owner when it has one: the identity that runs with the credential, and who to ask about it. The fingerprint
does not depend on them.`,
  remediation: {
    summary:
      'Treat the credential as compromised: revoke or rotate it at its provider first, then move the new value into a secret store and reference it from code; only then clean the file (and, if needed, history).',
    steps: [
      'Identify the owner of the credential and what it can reach; check the provider’s logs for use since the commit date.',
      'Revoke or rotate the credential at the provider (rotation first when a running system depends on it).',
      'Store the new value in a secret manager (AWS Secrets Manager, Azure Key Vault, GCP Secret Manager, Vault, CI secrets) and read it at run time.',
      'Remove the value from the file. If the repository is public or widely cloned, rewrite history (git filter-repo) after rotating; rewriting without rotating is not a fix.',
      'If the value is a test fixture or not a secret, mark the line with an `nhi:allow` comment or add the fingerprint to a baseline with a reason.',
    ],
    commands: ['git log -S "<redacted preview suffix>" --all --oneline   # find every commit that touched it', 'git filter-repo --replace-text expressions.txt   # only after rotation'],
  },
  references: [
    'https://owasp.org/www-project-non-human-identities-top-10/2025/2-secret-leakage/',
    'https://cwe.mitre.org/data/definitions/798.html',
  ],
  evaluate(inventory) {
    // One finding per (credential type, secret, path): a secret repeated through many commits
    // of the same file is one problem, reported where it first appeared.
    const groups = new Map<string, { best: SecretOccurrence; count: number; inTree: boolean }>();
    const listed = listedInExports(inventory);
    const workflowOf = workflowLocator(inventory);
    for (const o of inventory.occurrences) {
      if (isListedInExport(listed, o)) continue; // an IAM export naming its own keys
      const key = `${o.detectorId}\0${o.fingerprintHash}\0${o.root}\0${o.location.path}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { best: o, count: 1, inTree: o.origin !== 'history' });
      else {
        g.best = preferred(g.best, o);
        g.count++;
        g.inTree ||= o.origin !== 'history';
      }
    }
    return [...groups.values()].map(({ best, count, inTree }) => {
      const commit = best.location.commit;
      const where = commit
        ? `in git history (commit ${commit.sha.slice(0, 12)}${commit.author ? ` by ${commit.author}` : ''}${commit.date ? `, ${commit.date.slice(0, 10)}` : ''})${inTree ? '' : '; no longer in the working tree'}`
        : best.origin === 'staged'
          ? 'in a staged change'
          : 'in the working tree';
      return buildFinding(this, {
        message: `${best.detectorTitle} ${best.redacted} at ${best.location.path}:${best.location.line}, ${where}.`,
        identity: [best.detectorId, best.fingerprintHash, best.location.path],
        severity: best.severity,
        location: best.location,
        secret: { type: best.detectorId, redacted: best.redacted, ...(best.handle ? { handle: best.handle } : {}) },
        evidence: { occurrences: count, inWorkingTree: inTree, ...workflowOf(best) },
        allowedInline: best.allowedInline,
        secretHash: best.secretHash,
      });
    });
  },
});

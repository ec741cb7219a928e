/**
 * Reading role trust policies: who may assume the role, and under which conditions.
 * Condition semantics follow AWS: the operators of a block are AND-ed, the values of one key
 * are OR-ed; `...IfExists` passes when the key is absent; `ForAllValues:` passes when the key is
 * absent; negated operators (`StringNotEquals`...) admit everyone but the values listed.
 */
import type { PolicyDocument, PolicyStatement } from '../core/aws.js';
import type { Identity } from '../core/model.js';
import { roleAttributes } from './findings.js';
import { actionMatches } from './policy.js';

export function trustStatements(identity: Identity): PolicyStatement[] {
  let doc: PolicyDocument | string | undefined = roleAttributes(identity)?.trustPolicy as PolicyDocument | string | undefined;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc.trimStart().startsWith('%7B') ? decodeURIComponent(doc) : doc) as PolicyDocument;
    } catch {
      return [];
    }
  }
  if (!doc || typeof doc !== 'object' || !doc.Statement) return [];
  return [doc.Statement].flat();
}

export function list(value: string | string[] | boolean | undefined): string[] {
  if (value === undefined) return [];
  return [value].flat().map(String);
}

/** Does the statement allow (one of) these STS actions? A statement without Action or NotAction is taken as allowing. */
export function allowsAction(st: PolicyStatement, actions: readonly string[]): boolean {
  if (st.Effect !== 'Allow') return false;
  if (st.NotAction !== undefined) {
    const excluded = list(st.NotAction);
    return actions.some((a) => !excluded.some((p) => actionMatches(p, a)));
  }
  if (st.Action === undefined) return true;
  const patterns = list(st.Action);
  return actions.some((a) => patterns.some((p) => actionMatches(p, a)));
}

export const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'] as const;

/** Values of one principal type (`AWS`, `Service`, `Federated`) in the statement's Principal. */
export function principals(st: PolicyStatement, type: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser'): string[] {
  if (!st.Principal || st.Principal === '*') return [];
  const entry = Object.entries(st.Principal).find(([k]) => k.toLowerCase() === type.toLowerCase());
  return entry ? list(entry[1]) : [];
}

/** `Principal: "*"`, `{"AWS": "*"}` (alone or in a list), or an Allow with NotPrincipal (everyone but...). */
export function anyPrincipal(st: PolicyStatement): string | undefined {
  if (st.Effect !== 'Allow') return undefined;
  if (st.Principal === '*') return '"*"';
  if (principals(st, 'AWS').includes('*')) return '{"AWS": "*"}';
  if (st.NotPrincipal !== undefined) return `NotPrincipal ${JSON.stringify(st.NotPrincipal)}`;
  return undefined;
}

export interface ConditionEntry {
  /** As written, e.g. `ForAnyValue:StringLike`. */
  operator: string;
  /** The operator without set prefix and `IfExists`, e.g. `StringLike`. */
  base: string;
  ifExists: boolean;
  forAllValues: boolean;
  key: string;
  values: string[];
}

export function conditionEntries(st: PolicyStatement): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    if (!block || typeof block !== 'object') continue;
    const withoutSet = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
    const ifExists = /IfExists$/i.test(withoutSet);
    const base = withoutSet.replace(/IfExists$/i, '');
    for (const [key, value] of Object.entries(block)) {
      out.push({ operator, base, ifExists, forAllValues: /^ForAllValues:/i.test(operator), key, values: list(value) });
    }
  }
  return out;
}

export function isNegated(entry: ConditionEntry): boolean {
  return /Not/i.test(entry.base) || /^Null$/i.test(entry.base);
}

export function isLike(entry: ConditionEntry): boolean {
  return /Like$/i.test(entry.base);
}

/** `StringEquals token.actions.githubusercontent.com:sub repo:org/app:ref:refs/heads/main`. */
export function describeCondition(entry: ConditionEntry): string {
  return `${entry.operator} ${entry.key} ${entry.values.join(' | ')}`;
}

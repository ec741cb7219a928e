import type { Rule } from '../src/engine/rule.js';
import hardcodedSecret from './hardcoded-secret.js';

/** Every rule nhi runs. A test checks this list against the files in this folder. */
export const RULES: readonly Rule[] = [hardcodedSecret];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

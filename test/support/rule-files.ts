import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RULES_DIR = join(REPOSITORY_ROOT, 'rules');
export const RULE_TESTS_DIR = join(RULES_DIR, 'tests');

/** One rule of a Prometheus rule file: either `record` or `alert` is set. */
export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  path: string;
  groups: RuleGroup[];
}

/** One `alert_rule_test` case of a promtool test file. */
export interface AlertTestCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
}

export interface PromtoolTestGroup {
  name?: string;
  alert_rule_test?: AlertTestCase[];
}

export interface PromtoolTestFile {
  path: string;
  rule_files: string[];
  tests: PromtoolTestGroup[];
}

/** Lists the production rule files, rules/*.yml, by absolute path in name order. */
export function listRuleFilePaths(): string[] {
  return listYaml(RULES_DIR);
}

/** Lists the promtool unit test files, rules/tests/*.yml, by absolute path in name order. */
export function listRuleTestPaths(): string[] {
  return listYaml(RULE_TESTS_DIR);
}

export function readRuleFile(path: string): RuleFile {
  const parsed = parse(readFileSync(path, 'utf8')) as { groups?: RuleGroup[] };
  return { path, groups: parsed.groups ?? [] };
}

export function readPromtoolTestFile(path: string): PromtoolTestFile {
  const parsed = parse(readFileSync(path, 'utf8')) as { rule_files?: string[]; tests?: PromtoolTestGroup[] };
  return { path, rule_files: parsed.rule_files ?? [], tests: parsed.tests ?? [] };
}

/** Returns every rule of every production rule file. */
export function readAllRules(): Rule[] {
  return listRuleFilePaths().flatMap((path) => readRuleFile(path).groups.flatMap((group) => group.rules));
}

function listYaml(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'))
    .sort()
    .map((name) => join(directory, name));
}

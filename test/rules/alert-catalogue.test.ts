import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  listRuleFilePaths,
  listRuleTestPaths,
  readAllRules,
  readPromtoolTestFile,
  REPOSITORY_ROOT,
  RULE_TESTS_DIR,
  type PromtoolTestGroup,
} from '../support/rule-files.js';

/** Cases every alert needs a promtool test group for. The group's name starts with "<alert>: <case>". */
const REQUIRED_CASES = ['fires', 'quiet', 'restart', 'missing data'] as const;
const SEVERITIES = ['critical', 'warning'];
const RUNBOOK_PATH = 'docs/runbook.md';

const alerts = readAllRules().filter((rule) => rule.alert !== undefined);
const recordingRules = readAllRules().filter((rule) => rule.record !== undefined);
const testGroups = listRuleTestPaths().flatMap((path) => readPromtoolTestFile(path).tests);

/** Turns a Markdown heading into the anchor GitHub gives it. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function markdownAnchors(markdown: string): Set<string> {
  const headings = markdown.split('\n').filter((line) => /^#{1,6} /.test(line));
  return new Set(headings.map((line) => headingAnchor(line.replace(/^#+ /, ''))));
}

function groupsFor(alertName: string, testCase: string): PromtoolTestGroup[] {
  return testGroups.filter((group) => group.name?.startsWith(`${alertName}: ${testCase}`) === true);
}

function testsAlert(group: PromtoolTestGroup, alertName: string): boolean {
  return (group.alert_rule_test ?? []).some((test) => test.alertname === alertName);
}

function expectsFiring(group: PromtoolTestGroup, alertName: string): boolean {
  return (group.alert_rule_test ?? []).some((test) => test.alertname === alertName && (test.exp_alerts ?? []).length > 0);
}

describe('alerting rules', () => {
  const runbookAnchors = markdownAnchors(readFileSync(join(REPOSITORY_ROOT, RUNBOOK_PATH), 'utf8'));

  it('exist in the rule files', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(12);
  });

  it('have unique names', () => {
    const names = alerts.map((rule) => rule.alert);

    expect(new Set(names).size).toBe(names.length);
  });

  for (const rule of alerts) {
    const name = rule.alert!;

    describe(name, () => {
      it('has a known severity label', () => {
        expect(SEVERITIES).toContain(rule.labels?.severity);
      });

      it('has a one-sentence summary', () => {
        const summary = rule.annotations?.summary ?? '';

        expect(summary).toMatch(/^[A-Z].*\.$/);
        expect(summary.slice(0, -1)).not.toMatch(/[.!?] /);
      });

      it('has a templated description', () => {
        expect(rule.annotations?.description).toMatch(/\{\{ .+ \}\}/);
      });

      it('links its own runbook section', () => {
        const runbookUrl = rule.annotations?.runbook_url ?? '';
        const [path, anchor] = runbookUrl.split('#');

        expect(path).toBe(RUNBOOK_PATH);
        expect(anchor).toBe(name.toLowerCase());
        expect(runbookAnchors.has(anchor!), `${RUNBOOK_PATH} has no heading for #${anchor}`).toBe(true);
      });

      for (const testCase of REQUIRED_CASES) {
        it(`has a promtool test group for "${testCase}"`, () => {
          const groups = groupsFor(name, testCase);

          expect(groups.length, `no test group named "${name}: ${testCase} ..." in rules/tests`).toBeGreaterThan(0);
          expect(groups.every((group) => testsAlert(group, name))).toBe(true);
        });
      }

      it('is expected to fire in its "fires" test group', () => {
        expect(groupsFor(name, 'fires').some((group) => expectsFiring(group, name))).toBe(true);
      });
    });
  }

  it('are the only names test groups are named after', () => {
    const alertNames = new Set(alerts.map((rule) => rule.alert));
    const prefixes = testGroups.map((group) => group.name?.split(':')[0] ?? '(unnamed)');
    const unknown = prefixes.filter((prefix) => prefix !== 'recording' && !alertNames.has(prefix));

    expect(unknown).toEqual([]);
  });
});

describe('promtool test files', () => {
  it('load exactly the production rule files', () => {
    const productionRuleFiles = listRuleFilePaths();

    for (const path of listRuleTestPaths()) {
      const loaded = readPromtoolTestFile(path).rule_files.map((ruleFile) => resolve(RULE_TESTS_DIR, ruleFile));

      expect([...loaded].sort(), basename(path)).toEqual(productionRuleFiles);
    }
  });
});

describe('recording rules', () => {
  const documented = readFileSync(join(REPOSITORY_ROOT, 'docs', 'rules.md'), 'utf8');

  it('follow the level:metric:operations naming', () => {
    const names = recordingRules.map((rule) => rule.record!);
    const malformed = names.filter((name) => !/^[a-z][a-z_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$/.test(name));

    expect(malformed).toEqual([]);
  });

  it('have unique names', () => {
    const names = recordingRules.map((rule) => rule.record);

    expect(new Set(names).size).toBe(names.length);
  });

  it('are each listed in docs/rules.md', () => {
    const undocumented = recordingRules.map((rule) => rule.record!).filter((name) => !documented.includes(`\`${name}\``));

    expect(undocumented).toEqual([]);
  });
});

describe('prometheus.yml', () => {
  const config = parse(readFileSync(join(REPOSITORY_ROOT, 'prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };

  it('scrapes the exporter as job relay-metrics on the default port', () => {
    const job = config.scrape_configs.find((scrape) => scrape.job_name === 'relay-metrics');

    expect(job?.static_configs[0]?.targets).toEqual(['127.0.0.1:9477']);
  });

  it('names the job the exporter alerts select', () => {
    const exporterAlerts = alerts.filter((rule) => rule.expr.includes('up{'));

    expect(exporterAlerts.length).toBeGreaterThan(0);
    for (const rule of exporterAlerts) expect(rule.expr).toContain('up{job="relay-metrics"}');
  });

  it('loads the rule files from rules/', () => {
    expect(config.rule_files).toEqual(['rules/*.yml']);
  });
});

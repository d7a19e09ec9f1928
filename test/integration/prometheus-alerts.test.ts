import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { listRuleFilePaths, readAllRules, readRuleFile, REPOSITORY_ROOT } from '../support/rule-files.js';
import { startService, type RunningService } from '../support/service.js';
import { describeWithTool } from '../support/tools.js';

/**
 * One batch of calls: 10 attempted (6 successes, 1 partial, 3 errors) and 2
 * refusals, so the error ratio is 3 / 10 = 0.3. Counting refusals as
 * attempts would give 0.25, and counting partial results as errors 0.4.
 */
const BATCH = [
  ...Array.from({ length: 6 }, () => ({ tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'success', duration_ms: 9_000 })),
  { tier: 'pro', pipeline: 'transcribe', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'partial', duration_ms: 120_000, audio_seconds: 600 },
  ...Array.from({ length: 3 }, () => ({ tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'error', duration_ms: 30_000, error: 'upstream 503' })),
  ...Array.from({ length: 2 }, () => ({ tier: 'core', pipeline: 'transcribe', status: 'refused', error: 'quota exceeded' })),
];
const EXPECTED_ERROR_RATIO = 0.3;
/** Batches posted after Prometheus's first scrape. Their increase is what rate() measures. */
const LATER_BATCHES = 4;
const POLL_TIMEOUT_MS = 30_000;

interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

interface PrometheusRuleState {
  name: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
}

/** Writes copies of the production rule files with every `for:` cut to 1s, so alerts fire within seconds. */
async function writeFastRuleCopies(directory: string): Promise<string[]> {
  const paths: string[] = [];
  for (const productionPath of listRuleFilePaths()) {
    const ruleFile = readRuleFile(productionPath);
    for (const group of ruleFile.groups) {
      for (const rule of group.rules) {
        if (rule.for !== undefined) rule.for = '1s';
      }
    }

    const copyPath = join(directory, basename(productionPath));
    await writeFile(copyPath, stringify({ groups: ruleFile.groups }));
    paths.push(copyPath);
  }
  return paths;
}

/** Derives the test configuration from the production prometheus.yml: 1 s scrapes and evaluations, the test's exporter, the rule copies. */
async function buildPrometheusConfig(exporterPort: number, ruleFilePaths: string[]): Promise<string> {
  const config = parse(await readFile(join(REPOSITORY_ROOT, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; scrape_interval?: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const job = config.scrape_configs.find((scrape) => scrape.job_name === 'relay-metrics');
  if (job === undefined) throw new Error('prometheus.yml has no scrape job named relay-metrics');

  config.global.scrape_interval = '1s';
  config.global.evaluation_interval = '1s';
  job.scrape_interval = '1s';
  job.static_configs = [{ targets: [`127.0.0.1:${exporterPort}`] }];
  config.rule_files = ruleFilePaths;
  return stringify(config);
}

async function postBatch(service: RunningService): Promise<void> {
  const body = BATCH.map((record) => JSON.stringify(record)).join('\n') + '\n';
  const response = await fetch(`${service.url}/v1/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-ndjson' },
    body,
  });
  const result = (await response.json()) as { accepted?: number };

  expect(response.status, JSON.stringify(result)).toBe(200);
  expect(result.accepted).toBe(BATCH.length);
}

/** Polls `read` every 250 ms until it returns a value other than undefined. */
async function waitFor<T>(description: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + POLL_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${POLL_TIMEOUT_MS} ms waiting for ${description}`);
}

async function scalarQuery(prometheus: RunningPrometheus, promql: string): Promise<number | undefined> {
  const result = await prometheus.query(promql);
  return result.length === 1 ? Number(result[0]!.value[1]) : undefined;
}

async function firingAlert(prometheus: RunningPrometheus, alertName: string): Promise<PrometheusAlert | undefined> {
  const response = await fetch(`${prometheus.url}/api/v1/alerts`);
  const body = (await response.json()) as { data: { alerts: PrometheusAlert[] } };
  return body.data.alerts.find((alert) => alert.labels.alertname === alertName && alert.state === 'firing');
}

describeWithTool('prometheus', 'exporter scraped by a real Prometheus with the shipped rules', () => {
  let workDir: string;
  let service: RunningService;
  let prometheus: RunningPrometheus;
  const batchesPosted = 1 + LATER_BATCHES;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'relay-rules-'));
    service = await startService(['--data-dir', join(workDir, 'data'), '--log-level', 'warn']);

    // The first batch goes in before Prometheus starts, so its first scrape
    // reads every series complete. Each series then grows by the same factor,
    // which keeps rate()'s extrapolation equal for all of them and the ratio exact.
    await postBatch(service);
    const ruleFilePaths = await writeFastRuleCopies(workDir);
    prometheus = await startPrometheus({ configYaml: await buildPrometheusConfig(service.port, ruleFilePaths) });
    await waitFor('the first scrape', () => scalarQuery(prometheus, 'sum(relay_calls_total)'));

    for (let batch = 0; batch < LATER_BATCHES; batch += 1) await postBatch(service);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await service?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('stores the raw counters of every call posted', async () => {
    const totalCalls = BATCH.length * batchesPosted;
    await waitFor('every call in Prometheus', async () => {
      const sum = await scalarQuery(prometheus, 'sum(relay_calls_total{job="relay-metrics"})');
      return sum === totalCalls ? sum : undefined;
    });

    const byStatus = await prometheus.query('sum by (status) (relay_calls_total{job="relay-metrics"})');
    const counts = Object.fromEntries(byStatus.map((sample) => [sample.metric.status, Number(sample.value[1])]));

    expect(counts).toEqual({
      success: 6 * batchesPosted,
      partial: 1 * batchesPosted,
      error: 3 * batchesPosted,
      refused: 2 * batchesPosted,
    });
  });

  it('records the error ratio of errors to attempted calls', async () => {
    // The ratio is exact only once the last sample in the rate window contains
    // every batch, so wait for an evaluation after the scrape that read them all.
    const totalCalls = BATCH.length * batchesPosted;
    const lastScrapeSeconds = await waitFor('a scrape with every call', async () => {
      const sum = await scalarQuery(prometheus, 'sum(relay_calls_total)');
      return sum === totalCalls ? scalarQuery(prometheus, 'max(timestamp(relay_calls_total))') : undefined;
    });
    await waitFor('an evaluation after that scrape', async () => {
      const evaluatedAt = await scalarQuery(prometheus, 'timestamp(job:relay_calls_errors:ratio_rate1h)');
      return evaluatedAt !== undefined && evaluatedAt > lastScrapeSeconds ? evaluatedAt : undefined;
    });

    const errorRatio = await scalarQuery(prometheus, 'job:relay_calls_errors:ratio_rate1h{job="relay-metrics"}');

    expect(errorRatio).toBeCloseTo(EXPECTED_ERROR_RATIO, 9);
  });

  it('evaluates every rule without error', async () => {
    const rules = await waitFor('every rule to be evaluated once', async () => {
      const response = await fetch(`${prometheus.url}/api/v1/rules`);
      const body = (await response.json()) as { data: { groups: Array<{ rules: PrometheusRuleState[] }> } };
      const all = body.data.groups.flatMap((group) => group.rules);
      return all.every((rule) => rule.health !== 'unknown') ? all : undefined;
    });
    const failing = rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError ?? rule.health}`);

    expect(rules.length).toBe(readAllRules().length);
    expect(failing).toEqual([]);
  });

  it('fires RelayErrorRatioHigh with its annotations', async () => {
    const alert = await waitFor('RelayErrorRatioHigh to fire', () => firingAlert(prometheus, 'RelayErrorRatioHigh'));

    expect(alert.labels).toMatchObject({ alertname: 'RelayErrorRatioHigh', job: 'relay-metrics', severity: 'warning' });
    expect(alert.annotations.description).toContain('30% of attempted calls in job relay-metrics');
    expect(alert.annotations.runbook_url).toBe('docs/runbook.md#relayerrorratiohigh');
  });

  it('fires RelayModelErrorRatioHigh for the failing model', async () => {
    const alert = await waitFor('RelayModelErrorRatioHigh to fire', () => firingAlert(prometheus, 'RelayModelErrorRatioHigh'));

    expect(alert.labels).toMatchObject({ backend: 'gemini', model: 'gemini-3-flash-preview', severity: 'warning' });
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backfill, type BackfillResult } from '../../src/backfill/backfill.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { describeWithTool } from '../support/tools.js';
import { loadDashboard, queryPanels, substituteVariables } from './dashboard.js';

const SAMPLE_PATH = fileURLToPath(new URL('../../examples/relay-calls.sample.ndjson', import.meta.url));

// A 15-minute backfill interval keeps the backfill near 35 s on a shared
// 2-core machine, where the 5-minute default writes three times the samples
// and takes about 85 s. The queries step by an hour, so every
// $__rate_interval window still contains four samples.
const BACKFILL_INTERVAL_MS = 15 * 60_000;
const STEP_SECONDS = 3600;
const SCRAPE_INTERVAL_SECONDS = 15;

// Panels that are empty on healthy backfilled data: backfill has no exporter
// process state (append failures, log size), and the sample log has no value
// that normalization drops.
const ALLOWED_EMPTY_PANELS = new Set(['Append failures', 'Audit log size', 'Dropped values']);

const dashboard = loadDashboard();

interface RangeResult {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

describeWithTool('promtool', 'dashboard queries on backfilled sample history', () => {
  let outDir: string;
  let result: BackfillResult;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'relay-dashboard-'));
    result = await backfill({
      logPaths: [SAMPLE_PATH],
      outDir: join(outDir, 'blocks'),
      intervalMs: BACKFILL_INTERVAL_MS,
      tierPricesUsd: { core: 0, pro: 12, max: 39 },
    });
    prometheus = await startPrometheus({
      configYaml: `global:\n  scrape_interval: ${SCRAPE_INTERVAL_SECONDS}s\n`,
      tsdbDir: join(outDir, 'blocks'),
    });
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  });

  const queryRange = async (promql: string): Promise<RangeResult[]> => {
    const params = new URLSearchParams({
      query: promql,
      start: String(result.firstSampleMs / 1000),
      end: String(result.lastSampleMs / 1000),
      step: String(STEP_SECONDS),
    });
    const response = await fetch(`${prometheus.url}/api/v1/query_range`, { method: 'POST', body: params });
    const body = (await response.json()) as { status: string; error?: string; data: { result: RangeResult[] } };
    expect(body.status, `${promql}: ${body.error}`).toBe('success');
    return body.data.result;
  };

  const panelTargets = queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => [`${panel.title} ${target.refId}`, panel.title, target.expr] as const),
  );

  it.each(panelTargets)('panel query %s returns data', async (_name, title, expr) => {
    const rangeSeconds = (result.lastSampleMs - result.firstSampleMs) / 1000;
    const promql = substituteVariables(expr, dashboard, {
      stepSeconds: STEP_SECONDS,
      rangeSeconds,
      scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
    });
    expect(promql).not.toContain('$');

    const series = await queryRange(promql);
    const finiteValues = series.flatMap((entry) => entry.values).filter(([, value]) => Number.isFinite(Number(value)));

    // An allowed-empty panel that has data should leave the list, so the list stays an exact record.
    if (ALLOWED_EMPTY_PANELS.has(title)) expect(finiteValues, `${title} has data: remove it from ALLOWED_EMPTY_PANELS`).toEqual([]);
    else expect(finiteValues.length, promql).toBeGreaterThan(0);
  });

  it('allows only panels that exist to be empty', () => {
    const titles = new Set(queryPanels(dashboard).map((panel) => panel.title));
    for (const title of ALLOWED_EMPTY_PANELS) expect(titles.has(title), title).toBe(true);
  });

  it('backfills every record of the sample', async () => {
    const records = await readSampleRecords();
    expect(result.records).toBe(records.length);
    expect(result.lastSampleMs).toBeGreaterThanOrEqual(Math.max(...records.map((record) => record.ts as number)));
  });

  it('counts calls per tier and status as the log does', async () => {
    const expected = new Map<string, number>();
    for (const record of await readSampleRecords()) {
      const key = `${labelValue(record.tier, TIERS)} ${labelValue(record.status, STATUSES)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }

    const actual = await prometheus.query('sum by (tier, status) (relay_calls_total)', result.lastSampleMs / 1000);
    const actualByKey = new Map(actual.map((entry) => [`${entry.metric.tier} ${entry.metric.status}`, Number(entry.value[1])]));
    expect(actualByKey).toEqual(expected);
  });

  it('sums spend per tier and status as the log does', async () => {
    const expected = new Map<string, number>();
    for (const record of await readSampleRecords()) {
      // Every call creates its series, with or without a cost.
      const key = `${labelValue(record.tier, TIERS)} ${labelValue(record.status, STATUSES)}`;
      const costUsd = typeof record.cost_usd === 'number' && record.cost_usd >= 0 ? record.cost_usd : 0;
      expected.set(key, (expected.get(key) ?? 0) + costUsd);
    }

    const actual = await prometheus.query('sum by (tier, status) (relay_cost_usd_total)', result.lastSampleMs / 1000);
    const actualByKey = new Map(actual.map((entry) => [`${entry.metric.tier} ${entry.metric.status}`, Number(entry.value[1])]));
    expect([...actualByKey.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, spendUsd] of expected) expect(actualByKey.get(key), key).toBeCloseTo(spendUsd, 6);
  });

  it('gives the overall error ratio of the log', async () => {
    const records = await readSampleRecords();
    const errors = records.filter((record) => record.status === 'error').length;
    const attempted = records.filter((record) => record.status !== 'refused').length;

    const [ratio] = await prometheus.query(
      'sum(relay_calls_total{status="error"}) / sum(relay_calls_total{status!="refused"})',
      result.lastSampleMs / 1000,
    );
    expect(errors).toBeGreaterThan(0);
    expect(Number(ratio!.value[1])).toBeCloseTo(errors / attempted, 12);
  });
});

const TIERS = ['core', 'pro', 'max'];
const STATUSES = ['success', 'error', 'refused', 'partial'];

// The label value the exporter documents for a field: itself when known,
// `unknown` when absent, `other` otherwise.
function labelValue(value: unknown, known: readonly string[]): string {
  if (value === undefined || value === null || value === '') return 'unknown';
  return typeof value === 'string' && known.includes(value) ? value : 'other';
}

let sampleRecords: Array<Record<string, unknown>> | undefined;

// Parses the sample independently of the exporter's reader: one JSON object
// per line, skipping the damaged lines the sample contains on purpose.
async function readSampleRecords(): Promise<Array<Record<string, unknown>>> {
  if (sampleRecords !== undefined) return sampleRecords;

  const records: Array<Record<string, unknown>> = [];
  for (const line of (await readFile(SAMPLE_PATH, 'utf8')).split('\n')) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { ts?: unknown }).ts === 'number') {
        records.push(value as Record<string, unknown>);
      }
    } catch {
      // A blank, cut or stray line: the exporter skips these too.
    }
  }
  sampleRecords = records;
  return records;
}

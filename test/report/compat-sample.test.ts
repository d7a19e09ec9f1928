import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { CallRecord } from '../../src/record/call-record.js';
import { aggregate, closeAuditLog, initAuditLog, readEntries } from '../../src/report/compat.js';
import type { AggregateResult } from '../../src/report/report-types.js';
import { createReport, type Report } from '../../src/report/stream-report.js';

const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url);

// Every key of the original module's `aggregate` result and of its rows.
const ORIGINAL_SHAPE = {
  summary: [
    'calls', 'success', 'errors', 'refused', 'success_rate', 'total_cost_usd', 'total_duration_ms', 'avg_duration_ms',
    'total_input_tokens', 'total_output_tokens', 'total_thinking_tokens', 'total_summaries', 'active_installs_by_tier',
  ],
  by_tier: ['tier', 'calls', 'cost_usd', 'avg_duration_ms', 'unique_installs'],
  by_model: ['model', 'calls', 'cost_usd', 'input_tokens', 'output_tokens', 'thinking_tokens', 'avg_duration_ms', 'avg_cost_usd'],
  by_pipeline: ['pipeline', 'calls', 'cost_usd', 'avg_duration_ms'],
  by_backend: ['backend', 'calls', 'cost_usd', 'avg_duration_ms'],
  by_install: ['install_id', 'tier_snapshot', 'calls', 'cost_usd', 'summaries', 'avg_duration_ms', 'last_active_at'],
  by_license: ['license_fingerprint', 'tier_snapshot', 'calls', 'cost_usd', 'summaries', 'unique_installs', 'avg_duration_ms', 'last_active_at'],
  by_hour_utc: ['hour_utc', 'calls', 'cost_usd'],
  cost_vs_speed: ['model', 'avg_cost_usd', 'avg_duration_ms', 'calls'],
  by_summary: [
    'job_id', 'install_id', 'tier', 'started_at', 'completed_at', 'transcribe_backend', 'transcribe_model', 'analyze_backend',
    'analyze_model', 'total_cost_usd', 'total_duration_ms', 'status', 'had_transcribe', 'had_analyze',
  ],
  errors: ['ts', 'install_id', 'tier', 'pipeline', 'backend', 'model', 'duration_ms', 'error', 'attempts'],
  perf_by_model: [
    'pipeline', 'model', 'calls', 'success', 'errors', 'refused', 'partials', 'failures', 'success_rate', 'ms_per_audio_minute',
    'ms_per_1k_input_tokens', 'total_audio_minutes', 'top_errors',
  ],
} as const;

let dataDir: string;
let sampleRecords: CallRecord[];
let aggregated: AggregateResult;
let report: Report;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relay-compat-sample-'));
  await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
  sampleRecords = parseSample(await readFile(SAMPLE_PATH, 'utf8'));

  await initAuditLog({ dataDir, logger: silentLogger, processMetrics: false });
  aggregated = aggregate(await readEntries({ sinceMs: 0 }));
  report = await createReport({ dataDir, sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER, limits: { summaries: Number.POSITIVE_INFINITY } });
});

afterAll(async () => {
  await closeAuditLog();
  await rm(dataDir, { recursive: true, force: true });
});

// Parsed here without the project's reader, as an independent reference.
function parseSample(text: string): CallRecord[] {
  const records: CallRecord[] = [];
  for (const line of text.split('\n')) {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) records.push(value as CallRecord);
    } catch {
      // Blank, torn and stray lines of the sample are skipped, as the log reader skips them.
    }
  }
  return records;
}

describe('compat aggregate on the sample', () => {
  it('returns every key of the original shape', () => {
    for (const [key, fields] of Object.entries(ORIGINAL_SHAPE)) {
      expect(aggregated, key).toHaveProperty(key);
      const value = aggregated[key as keyof AggregateResult];
      const rows = Array.isArray(value) ? value : [value];
      expect(rows.length, key).toBeGreaterThan(0);
      for (const row of rows) {
        for (const field of fields) expect(row, `${key}.${field}`).toHaveProperty(field);
      }
    }
    expect(Object.keys(aggregated.summary.active_installs_by_tier).sort()).toEqual(['core', 'max', 'pro']);
    for (const row of aggregated.perf_by_model) {
      for (const entry of row.top_errors) expect(Object.keys(entry).sort()).toEqual(['count', 'signature']);
    }
  });

  it('agrees with totals computed from the parsed lines', () => {
    const costUsd = sampleRecords.reduce((sum, record) => sum + (typeof record.cost_usd === 'number' ? record.cost_usd : 0), 0);
    const durationMs = sampleRecords.reduce((sum, record) => sum + (typeof record.duration_ms === 'number' ? record.duration_ms : 0), 0);
    const jobIds = new Set(sampleRecords.map((record) => record.job_id).filter((id) => typeof id === 'string'));
    const withError = sampleRecords.filter((record) => typeof record.error === 'string');

    expect(sampleRecords.length).toBeGreaterThan(11_000);
    expect(aggregated.summary.calls).toBe(sampleRecords.length);
    expect(aggregated.summary.success).toBe(sampleRecords.filter((record) => record.status === 'success').length);
    expect(aggregated.summary.errors).toBe(sampleRecords.filter((record) => record.status === 'error').length);
    expect(aggregated.summary.refused).toBe(sampleRecords.filter((record) => record.status === 'refused').length);
    expect(aggregated.summary.total_cost_usd).toBeCloseTo(costUsd, 5);
    expect(aggregated.summary.total_duration_ms).toBe(durationMs);
    expect(aggregated.summary.total_summaries).toBe(jobIds.size);
    expect(aggregated.by_summary).toHaveLength(jobIds.size);
    expect(aggregated.errors).toHaveLength(50);
    expect(aggregated.errors[0]!.ts).toBe(Math.max(...withError.map((record) => record.ts!)));
  });

  it('agrees per tier and per install with the parsed lines', () => {
    for (const row of aggregated.by_tier) {
      const inTier = sampleRecords.filter((record) => (record.tier ?? 'unknown') === row.tier);
      expect(row.calls, row.tier).toBe(inTier.length);
      expect(row.cost_usd, row.tier).toBeCloseTo(inTier.reduce((sum, record) => sum + (record.cost_usd ?? 0), 0), 5);
    }

    const costByInstall = new Map<string, number>();
    for (const record of sampleRecords) {
      costByInstall.set(record.install_id!, (costByInstall.get(record.install_id!) ?? 0) + (record.cost_usd ?? 0));
    }
    const topCosts = [...costByInstall.values()].sort((a, b) => b - a).slice(0, 20);
    expect(aggregated.by_install.map((row) => row.cost_usd)).toEqual(topCosts.map((cost) => Math.round(cost * 1e6) / 1e6));
  });

  it('matches the streaming report', () => {
    const keys = Object.keys(ORIGINAL_SHAPE) as Array<keyof AggregateResult>;
    for (const key of keys) expect(report[key], key).toEqual(aggregated[key]);

    expect(report.by_install).toHaveLength(20);
    expect(report.by_license).toHaveLength(20);
    expect(report.source.records).toBe(sampleRecords.length);
    expect(report.source.invalid_lines + report.source.blank_lines + report.source.torn_lines).toBe(3);
  });
});

import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRelayMetrics } from '../src/relay.js';
import { sumFamily } from './support/service.js';
import { useTempDirs } from './support/temp-dir.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../examples/relay-calls.sample.ndjson', import.meta.url);

/** Totals computed straight from the sample file, independently of the exporter's reader. */
async function sampleTotals(): Promise<{ records: number; costUsd: number }> {
  let records = 0;
  let costUsd = 0;
  for (const text of (await readFile(SAMPLE_PATH, 'utf8')).split('\n')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    records += 1;
    const cost = (value as { cost_usd?: unknown }).cost_usd;
    if (typeof cost === 'number') costUsd += cost;
  }
  return { records, costUsd };
}

describe('createRelayMetrics', () => {
  it('replays the live log on start so counters equal the sample', async () => {
    const dataDir = await makeTempDir();
    await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
    const relay = await createRelayMetrics({ dataDir });
    const exposition = await relay.registry.metrics();
    await relay.close();

    const expected = await sampleTotals();
    expect(expected.records).toBeGreaterThan(11_000);
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(expected.records);
    expect(Math.abs(sumFamily(exposition, 'relay_cost_usd_total') - expected.costUsd)).toBeLessThan(1e-6);
    expect(exposition).toContain('relay_audit_bad_lines_total{reason="blank"} 1');
    expect(exposition).toContain('relay_audit_bad_lines_total{reason="invalid"} 2');
  });

  it('applies a recorded call only after its line is in the log', async () => {
    const dataDir = await makeTempDir();
    const relay = await createRelayMetrics({ dataDir });
    const result = await relay.recordCall({ tier: 'max', pipeline: 'analyze', backend: 'gemini', model: 'm', status: 'success', cost_usd: 0.5 });
    expect(result).toEqual({ ok: true });

    const lines = (await readFile(join(dataDir, 'relay-calls.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const exposition = await relay.registry.metrics();
    expect(exposition).toContain('relay_cost_usd_total{tier="max",pipeline="analyze",backend="gemini",model="m",status="success"} 0.5');
    await relay.close();
  });

  it('returns invalid_record for a non-object instead of rejecting', async () => {
    const relay = await createRelayMetrics({ dataDir: await makeTempDir() });
    const result = await relay.recordCall(['not', 'a', 'record']);
    expect(result).toMatchObject({ ok: false, code: 'invalid_record' });
    expect(await relay.registry.metrics()).toContain('relay_rejected_records_total{reason="not_an_object"} 1');
    await relay.close();
  });

  it('returns closed after close instead of rejecting', async () => {
    const relay = await createRelayMetrics({ dataDir: await makeTempDir() });
    await relay.close();
    expect(await relay.recordCall({ tier: 'core' })).toMatchObject({ ok: false, code: 'closed' });
  });

  it('keeps bad numbers in the log and out of the metrics', async () => {
    const dataDir = await makeTempDir();
    const relay = await createRelayMetrics({ dataDir });
    await relay.recordCall({ tier: 'pro', status: 'success', cost_usd: -3, duration_ms: '12', input_tokens: Number.NaN });
    const exposition = await relay.registry.metrics();
    await relay.close();

    expect(sumFamily(exposition, 'relay_cost_usd_total')).toBe(0);
    expect(sumFamily(exposition, 'relay_call_duration_seconds_count')).toBe(0);
    expect(exposition).toContain('relay_dropped_values_total{field="cost_usd",reason="negative"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="duration_ms",reason="not_a_number"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="input_tokens",reason="not_finite"} 1');
    const stored = JSON.parse(await readFile(join(dataDir, 'relay-calls.ndjson'), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ cost_usd: -3, duration_ms: '12', input_tokens: 'NaN' });
  });

  it('runs two instances in one process on two directories without collision', async () => {
    const first = await createRelayMetrics({ dataDir: await makeTempDir() });
    const second = await createRelayMetrics({ dataDir: await makeTempDir() });
    await first.recordCall({ tier: 'core', status: 'success' });
    await second.recordCall({ tier: 'core', status: 'success' });
    await second.recordCall({ tier: 'core', status: 'success' });

    expect(sumFamily(await first.registry.metrics(), 'relay_calls_total')).toBe(1);
    expect(sumFamily(await second.registry.metrics(), 'relay_calls_total')).toBe(2);
    await first.close();
    await second.close();
  });

  it('adds its families to a registry passed in, beside the relay own metrics', async () => {
    const registry = new Registry();
    const own = new Counter({ name: 'my_relay_requests_total', help: 'Requests.', registers: [registry] });
    own.inc();
    const relay = await createRelayMetrics({ dataDir: await makeTempDir(), registry, processMetrics: false });
    await relay.recordCall({ tier: 'core' });
    const exposition = await registry.metrics();
    await relay.close();

    expect(relay.registry).toBe(registry);
    expect(exposition).toContain('my_relay_requests_total 1');
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(1);
    expect(exposition).not.toContain('process_cpu_seconds_total');
  });

  it('admits up to maxModels model labels and counts overflows', async () => {
    const relay = await createRelayMetrics({ dataDir: await makeTempDir(), maxModels: 3 });
    for (let index = 0; index < 10; index += 1) await relay.recordCall({ model: `model-${index}` });
    const exposition = await relay.registry.metrics();
    await relay.close();

    const models = new Set([...exposition.matchAll(/^relay_calls_total\{.*model="([^"]*)"/gm)].map((match) => match[1]));
    expect(models).toEqual(new Set(['model-0', 'model-1', 'model-2', 'other']));
    expect(exposition).toContain('relay_label_overflows_total{label="model"} 7');
  });
});

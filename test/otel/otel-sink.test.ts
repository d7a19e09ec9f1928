import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIVE_LOG_NAME } from '../../src/audit/log-files.js';
import { DURATION_BUCKETS_SECONDS, TOKEN_BUCKETS } from '../../src/otel/instruments.js';
import { createRelayMetrics, type RelayMetrics } from '../../src/relay.js';
import { VERSION } from '../../src/version.js';
import { findMetric, pointsOf, startTestMeter, sumPoints, type TestMeter } from '../support/otel.js';
import { sumFamily } from '../support/service.js';

const SAMPLE_LOG = fileURLToPath(new URL('../../examples/relay-calls.sample.ndjson', import.meta.url));

const RECORDS = [
  {
    tier: 'core', pipeline: 'transcribe', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'success',
    audio_seconds: 600, duration_ms: 90_000, input_tokens: 19_200, output_tokens: 1_500, thinking_tokens: 0,
    cost_usd: 0.015, credit_charged: 0, install_id: 'i1', job_id: 'j1',
  },
  {
    tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-pro-preview', status: 'success',
    duration_ms: 9_000, input_tokens: 2_400, output_tokens: 2_200, thinking_tokens: 300, cost_usd: 0.009,
    credit_charged: 1, install_id: 'i2', license_fingerprint: 'l2', job_id: 'j1',
  },
  {
    tier: 'max', pipeline: 'transcribe', backend: 'hardware', model: 'parakeet-tdt-0.6b-v3', status: 'success',
    audio_seconds: 1_200, duration_ms: 1_500_000, credit_charged: 1, install_id: 'i3',
  },
  { tier: 'core', pipeline: 'analyze', backend: 'gemini', status: 'refused', error: 'daily quota exhausted', install_id: 'i4' },
  {
    tier: 'core', pipeline: 'transcribe', backend: 'gemini', model: 'gemini-2.5-flash', status: 'error',
    error: '429 RESOURCE_EXHAUSTED', duration_ms: 2_000, install_id: 'i5',
  },
  { tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-pro-preview', status: 'error', error: 'something odd', duration_ms: 500 },
  { tier: 'core', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'success', cost_usd: -1, duration_ms: 4_000 },
];

describe('OpenTelemetry sink', () => {
  let dataDir: string;
  let testMeter: TestMeter;
  let relay: RelayMetrics | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'relay-otel-'));
    testMeter = startTestMeter();
  });

  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await testMeter.shutdown();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function recordAll(maxModels: number): Promise<MetricData[]> {
    relay = await createRelayMetrics({ dataDir, meter: testMeter.meter, maxModels, processMetrics: false });
    for (const record of RECORDS) expect(await relay.recordCall(record)).toEqual({ ok: true });
    return testMeter.collect();
  }

  it('creates instruments with conventional names and units', async () => {
    const collected = await recordAll(3);

    const units = Object.fromEntries(collected.map((metric) => [metric.descriptor.name, metric.descriptor.unit]));
    expect(units).toEqual({
      'gen_ai.client.operation.duration': 's',
      'gen_ai.client.token.usage': '{token}',
      'relay.calls': '{call}',
      'relay.cost': '{USD}',
      'relay.credits': '{credit}',
      'relay.audio.duration': 's',
      'relay.tokens': '{token}',
    });
  });

  it('uses the advised histogram buckets', async () => {
    const collected = await recordAll(3);

    const duration = pointsOf(findMetric(collected, 'gen_ai.client.operation.duration'));
    const hardware = duration.find((point) => point.attributes['gen_ai.provider.name'] === 'hardware')!;
    expect(hardware.buckets!.boundaries).toEqual([...DURATION_BUCKETS_SECONDS]);
    // 1500 s lies between 1310.72 and 2621.44, the last advised boundary.
    expect(hardware.buckets!.counts.at(-2)).toBe(1);

    const tokens = pointsOf(findMetric(collected, 'gen_ai.client.token.usage'));
    expect(tokens[0]!.buckets!.boundaries).toEqual([...TOKEN_BUCKETS]);
  });

  it('maps record fields to attributes', async () => {
    const collected = await recordAll(3);
    const calls = pointsOf(findMetric(collected, 'relay.calls'));

    expect(calls.map((point) => point.attributes)).toContainEqual({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-3-flash-preview',
      'relay.tier': 'core',
      'relay.pipeline': 'transcribe',
      'relay.status': 'success',
    });
    expect(calls.map((point) => point.attributes)).toContainEqual({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'hardware',
      'gen_ai.request.model': 'parakeet-tdt-0.6b-v3',
      'relay.tier': 'max',
      'relay.pipeline': 'transcribe',
      'relay.status': 'success',
    });
  });

  it('leaves the model out of a refusal and classifies it', async () => {
    const collected = await recordAll(3);
    const calls = pointsOf(findMetric(collected, 'relay.calls'));

    const refusal = calls.find((point) => point.attributes['relay.status'] === 'refused')!;
    expect(refusal.attributes).not.toHaveProperty('gen_ai.request.model');
    expect(refusal.attributes['error.type']).toBe('quota');
    expect(refusal.value).toBe(1);
  });

  it('bounds error.type and the model with _OTHER', async () => {
    const collected = await recordAll(3);
    const calls = pointsOf(findMetric(collected, 'relay.calls'));

    const rateLimited = calls.find((point) => point.attributes['error.type'] === 'rate_limited')!;
    expect(rateLimited.attributes['gen_ai.request.model']).toBe('_OTHER');
    const unclassified = calls.find((point) => point.attributes['error.type'] === '_OTHER')!;
    expect(unclassified.attributes['gen_ai.request.model']).toBe('gemini-3-pro-preview');
    expect(sumPoints(calls, { 'error.type': 'other' })).toBe(0);
  });

  it('counts thinking tokens as output in token usage', async () => {
    const collected = await recordAll(3);
    const usage = pointsOf(findMetric(collected, 'gen_ai.client.token.usage'));
    const analyze = { 'relay.pipeline': 'analyze', 'gen_ai.request.model': 'gemini-3-pro-preview' };

    expect(sumPoints(usage, { ...analyze, 'gen_ai.token.type': 'output' })).toBe(2_500);
    expect(sumPoints(usage, { ...analyze, 'gen_ai.token.type': 'input' })).toBe(2_400);
    expect(usage.map((point) => point.attributes['gen_ai.token.type'])).not.toContain('thinking');

    const tokens = pointsOf(findMetric(collected, 'relay.tokens'));
    expect(sumPoints(tokens, { ...analyze, 'relay.token.type': 'output' })).toBe(2_200);
    expect(sumPoints(tokens, { ...analyze, 'relay.token.type': 'thinking' })).toBe(300);
  });

  it('records values of a set of calls', async () => {
    const collected = await recordAll(3);

    expect(sumPoints(pointsOf(findMetric(collected, 'relay.calls')))).toBe(7);
    expect(sumPoints(pointsOf(findMetric(collected, 'relay.cost')))).toBeCloseTo(0.024, 12);
    expect(sumPoints(pointsOf(findMetric(collected, 'relay.credits')))).toBe(2);
    expect(sumPoints(pointsOf(findMetric(collected, 'relay.audio.duration')))).toBe(1_800);

    const duration = pointsOf(findMetric(collected, 'gen_ai.client.operation.duration'));
    // The refusal has no duration, so six of seven calls are observed.
    expect(sumPoints(duration, {}, 'count')).toBe(6);
    expect(sumPoints(duration)).toBeCloseTo(90 + 9 + 1_500 + 2 + 0.5 + 4, 9);
  });

  it('agrees with Prometheus for the same calls', async () => {
    const collected = await recordAll(3);
    const exposition = await relay!.registry.metrics();

    expectTotalsAgree(collected, exposition);
  });

  it('agrees with Prometheus after replaying the sample log', async () => {
    await copyFile(SAMPLE_LOG, join(dataDir, LIVE_LOG_NAME));
    relay = await createRelayMetrics({ dataDir, meter: testMeter.meter, processMetrics: false });

    const collected = await testMeter.collect();
    const exposition = await relay.registry.metrics();

    expect(sumFamily(exposition, 'relay_calls_total')).toBeGreaterThan(11_000);
    expectTotalsAgree(collected, exposition);
  });

  it('keeps OpenTelemetry names out of /metrics', async () => {
    await recordAll(3);
    const exposition = await relay!.registry.metrics();

    const families = exposition.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
    expect(families.length).toBeGreaterThan(10);
    expect(new Set(families).size).toBe(families.length);
    expect(families.filter((name) => name!.startsWith('gen_ai'))).toEqual([]);
  });

  it('uses the global meter provider by default', async () => {
    metrics.setGlobalMeterProvider(testMeter.provider);

    try {
      relay = await createRelayMetrics({ dataDir, processMetrics: false });
      await relay.recordCall(RECORDS[0]);

      const [scope] = await testMeter.collectScopes();
      expect(scope!.scope).toMatchObject({ name: 'relay-metrics', version: VERSION });
      expect(sumPoints(pointsOf(findMetric(scope!.metrics, 'relay.calls')))).toBe(1);
    } finally {
      metrics.disable();
    }
  });
});

function expectTotalsAgree(collected: MetricData[], exposition: string): void {
  const otel = (name: string, where = {}, field: 'value' | 'count' = 'value') =>
    sumPoints(pointsOf(findMetric(collected, name)), where, field);
  const prometheusTokens = (type: string) =>
    sumLines(exposition, (line) => line.startsWith('relay_tokens_total{') && line.includes(`token_type="${type}"`));

  expect(otel('relay.calls')).toBe(sumFamily(exposition, 'relay_calls_total'));
  expect(otel('relay.cost')).toBeCloseTo(sumFamily(exposition, 'relay_cost_usd_total'), 6);
  expect(otel('relay.credits')).toBe(sumFamily(exposition, 'relay_credits_charged_total'));
  expect(otel('relay.audio.duration')).toBeCloseTo(sumFamily(exposition, 'relay_audio_seconds_total'), 6);
  expect(otel('gen_ai.client.operation.duration', {}, 'count')).toBe(sumFamily(exposition, 'relay_call_duration_seconds_count'));
  expect(otel('gen_ai.client.operation.duration')).toBeCloseTo(sumFamily(exposition, 'relay_call_duration_seconds_sum'), 6);

  for (const type of ['input', 'output', 'thinking']) {
    expect(otel('relay.tokens', { 'relay.token.type': type })).toBe(prometheusTokens(type));
  }
  expect(otel('gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' })).toBe(prometheusTokens('input'));
  expect(otel('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' })).toBe(
    prometheusTokens('output') + prometheusTokens('thinking'),
  );

  const errors = sumFamily(exposition, 'relay_errors_total');
  const callsWithErrorType = pointsOf(findMetric(collected, 'relay.calls'))
    .filter((point) => point.attributes['error.type'] !== undefined)
    .reduce((sum, point) => sum + point.value, 0);
  expect(callsWithErrorType).toBe(errors);
}

function sumLines(exposition: string, select: (line: string) => boolean): number {
  return exposition
    .split('\n')
    .filter(select)
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

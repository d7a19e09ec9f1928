import { describe, expect, it } from 'vitest';
import { PrometheusSink } from '../../src/metrics/prometheus-sink.js';
import { SinkStateError } from '../../src/metrics/sink-state.js';
import { normalizeCallRecord } from '../../src/record/normalize.js';

const NOW_MS = Date.parse('2026-12-04T00:00:00Z');

function newSink(maxModels = 2): PrometheusSink {
  return new PrometheusSink({ version: 'test', processMetrics: false, maxModels, nowMs: () => NOW_MS });
}

function apply(sink: PrometheusSink, record: Record<string, unknown>): void {
  const normalized = normalizeCallRecord({ ts: NOW_MS - 1000, ...record }, NOW_MS);
  if (!normalized.ok) throw new Error(normalized.reason);
  sink.apply(normalized.call, normalized.dropped);
}

const RECORDS = [
  { tier: 'pro', pipeline: 'transcribe', backend: 'gemini', model: 'a', status: 'success', duration_ms: 4200, cost_usd: 0.012, input_tokens: 3000, install_id: 'i1', license_fingerprint: 'l1' },
  { tier: 'core', pipeline: 'analyze', backend: 'hardware', model: 'b', status: 'error', error: 'upstream timed out', install_id: 'i2' },
  { tier: 'max', model: 'c', status: 'success', cost_usd: -1, credit_charged: 1, install_id: 'i3' },
];

async function exposition(sink: PrometheusSink): Promise<string> {
  return sink.registry.metrics();
}

describe('sink state export and import', () => {
  it('restores an exposition equal to the original', async () => {
    const original = newSink();
    for (const record of RECORDS) apply(original, record);
    original.self.recordsAppended.inc(3);

    const saved = JSON.parse(JSON.stringify(await original.exportState())) as unknown;
    const restored = newSink();
    restored.importState(saved);
    expect(await exposition(restored)).toBe(await exposition(original));
  });

  it('keeps model labels and the overflow counter consistent after a restore', async () => {
    const original = newSink(2);
    for (const record of RECORDS) apply(original, record);
    const restored = newSink(2);
    restored.importState(await original.exportState());

    apply(original, { model: 'b', status: 'success' });
    apply(restored, { model: 'b', status: 'success' });
    apply(original, { model: 'd', status: 'success' });
    apply(restored, { model: 'd', status: 'success' });
    expect(await exposition(restored)).toBe(await exposition(original));
    expect(await exposition(restored)).toContain('relay_label_overflows_total{label="model"} 2');
  });

  it.each([
    ['a wrong format', (state: Record<string, any>) => (state.format = 2), /format 2 is not 1/], // eslint-disable-line @typescript-eslint/no-explicit-any -- the state is edited field by field
    ['other bucket bounds', (state: Record<string, any>) => (state.bucketBounds.cost = [1]), /bucket bounds differ/], // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
    ['a negative total', (state: Record<string, any>) => (state.calls[0].calls = -1), /calls\[0\]\.calls is -1/], // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
    ['a short bucket list', (state: Record<string, any>) => (state.calls[0].duration.bucketCounts.length -= 1), /duration\.bucketCounts has 16 entries, expected 17/], // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
    ['an unknown counter', (state: Record<string, any>) => (state.counters.relay_made_up_total = []), /relay_made_up_total is not a counter/], // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
    ['an unknown label', (state: Record<string, any>) => (state.counters.relay_audit_records_appended_total = [{ labels: { x: 'y' }, value: 1 }]), /unknown label "x"/], // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  ])('rejects a state with %s and changes nothing', async (_name, damage, message) => {
    const original = newSink();
    for (const record of RECORDS) apply(original, record);
    const state = JSON.parse(JSON.stringify(await original.exportState())) as Record<string, unknown>;
    damage(state);

    const target = newSink();
    const before = await exposition(target);
    expect(() => target.importState(state)).toThrow(SinkStateError);
    expect(() => target.importState(state)).toThrow(message);
    expect(await exposition(target)).toBe(before);
  });
});

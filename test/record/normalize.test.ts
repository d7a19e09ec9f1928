import { describe, expect, it } from 'vitest';
import { normalizeCallRecord } from '../../src/record/normalize.js';
import { serializeRecord } from '../../src/record/serialize.js';

const NOW_MS = 1_796_000_000_000;

function normalizeOk(input: unknown) {
  const result = normalizeCallRecord(input, NOW_MS);
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result;
}

describe('normalizeCallRecord', () => {
  it('maps known enum values to themselves', () => {
    const { call } = normalizeOk({ tier: 'pro', pipeline: 'analyze', backend: 'gemini', status: 'partial', model: 'm1' });
    expect(call.tier).toBe('pro');
    expect(call.pipeline).toBe('analyze');
    expect(call.backend).toBe('gemini');
    expect(call.status).toBe('partial');
    expect(call.model).toBe('m1');
  });

  it('maps absent enums to unknown and foreign ones to other', () => {
    const { call } = normalizeOk({ tier: 'platinum', pipeline: 42, status: 'SUCCESS' });
    expect(call.tier).toBe('other');
    expect(call.pipeline).toBe('other');
    expect(call.backend).toBe('unknown');
    expect(call.status).toBe('other');
    expect(call.model).toBeUndefined();
  });

  it('sets ts first when absent and keeps the input otherwise', () => {
    const input = { tier: 'core', custom_field: { nested: true } };
    const { record, call } = normalizeOk(input);
    expect(Object.keys(record)[0]).toBe('ts');
    expect(record.ts).toBe(NOW_MS);
    expect(record.custom_field).toEqual({ nested: true });
    expect(call.tsMs).toBe(NOW_MS);

    const withTs = { ts: 5, tier: 'core' };
    expect(normalizeOk(withTs).record).toBe(withTs);
  });

  it('converts duration to seconds', () => {
    expect(normalizeOk({ duration_ms: 1500 }).call.durationSeconds).toBe(1.5);
  });

  it.each([
    ['a string number', '12', 'not_a_number'],
    ['a boolean', true, 'not_a_number'],
    ['NaN', Number.NaN, 'not_finite'],
    ['Infinity', Number.POSITIVE_INFINITY, 'not_finite'],
    ['a negative', -1, 'negative'],
    ['a huge value', 1e300, 'too_large'],
  ])('drops %s cost from the metrics with a reason', (_name, value, reason) => {
    const { call, dropped, record } = normalizeOk({ cost_usd: value });
    expect(call.costUsd).toBeUndefined();
    expect(dropped).toEqual([{ field: 'cost_usd', reason }]);
    expect(record.cost_usd).toBe(value);
  });

  it('treats null numbers as absent, not as bad', () => {
    const { call, dropped } = normalizeOk({ cost_usd: null, input_tokens: null });
    expect(call.costUsd).toBeUndefined();
    expect(dropped).toEqual([]);
  });

  it.each([null, [], [{}], 'text', 7])('rejects %j because it is not an object', (input) => {
    const result = normalizeCallRecord(input, NOW_MS);
    expect(result.ok).toBe(false);
  });

  it('uses license fingerprint and install id only when they are non-empty strings', () => {
    const { call } = normalizeOk({ install_id: '', license_fingerprint: 12 });
    expect(call.installId).toBeUndefined();
    expect(call.licenseFingerprint).toBeUndefined();
  });
});

describe('serializeRecord', () => {
  it('writes one line ending in a newline', () => {
    const { record, dropped } = normalizeOk({ ts: 1, tier: 'core' });
    expect(serializeRecord(record, dropped)).toEqual({ ok: true, line: '{"ts":1,"tier":"core"}\n' });
  });

  it('keeps non-finite numbers as strings instead of null', () => {
    const { record, dropped } = normalizeOk({ ts: 1, cost_usd: Number.NaN, duration_ms: Number.NEGATIVE_INFINITY });
    const result = serializeRecord(record, dropped);
    expect(result).toEqual({ ok: true, line: '{"ts":1,"cost_usd":"NaN","duration_ms":"-Infinity"}\n' });
  });

  it('rejects a BigInt value with a reason', () => {
    const { record, dropped } = normalizeOk({ ts: 1, cost_usd: 10n });
    const result = serializeRecord(record, dropped);
    expect(result.ok).toBe(false);
  });

  it('escapes newlines inside strings so a record stays one line', () => {
    const { record, dropped } = normalizeOk({ ts: 1, error: 'line one\nline two' });
    const result = serializeRecord(record, dropped);
    expect(result.ok && result.line.split('\n')).toEqual(['{"ts":1,"error":"line one\\nline two"}', '']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/record/call-record.js';
import { normalizeCallRecord } from '../../src/record/normalize.js';
import { readReportInput } from '../../src/report/report-input.js';

// The report validates numbers itself, without normalizing the whole record; it must keep exactly what the metrics keep.
describe('readReportInput', () => {
  const amount = fc.oneof(
    fc.double(),
    fc.integer({ min: -10, max: 2e9 }),
    fc.constantFrom(null, undefined, '12', Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e4, 10_000.01, 604_800_000, 604_800_001, 1e9, 1e9 + 1),
  );
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(null, undefined, '', 42));
  const recordArbitrary = fc.record(
    {
      ts: amount,
      duration_ms: amount,
      cost_usd: amount,
      input_tokens: amount,
      output_tokens: amount,
      thinking_tokens: amount,
      audio_seconds: amount,
      install_id: text,
      license_fingerprint: text,
      model: text,
    },
    { requiredKeys: [] },
  );

  it('keeps the numbers and ids that normalizeCallRecord keeps, and no others', () => {
    fc.assert(
      fc.property(recordArbitrary, (record) => {
        const input = readReportInput(record as CallRecord)!;
        const normalized = normalizeCallRecord(record, 0);
        if (!normalized.ok) throw new Error(normalized.reason);
        const { call } = normalized;

        expect(input.tsMs).toBe(record.ts === undefined ? undefined : call.tsMs);
        expect(input.durationMs === undefined).toBe(call.durationSeconds === undefined);
        if (input.durationMs !== undefined) expect(input.durationMs / 1000).toBe(call.durationSeconds);
        expect(input.costUsd).toBe(call.costUsd);
        expect(input.inputTokens).toBe(call.inputTokens);
        expect(input.outputTokens).toBe(call.outputTokens);
        expect(input.thinkingTokens).toBe(call.thinkingTokens);
        expect(input.audioSeconds).toBe(call.audioSeconds);
        expect(input.installId).toBe(call.installId);
        expect(input.licenseFingerprint).toBe(call.licenseFingerprint);
        const modelNamed = call.model !== undefined && call.model !== '';
        expect(input.hasModel).toBe(modelNamed);
      }),
      { numRuns: 500 },
    );
  });

  it('returns undefined for values that are not objects, as normalizeCallRecord rejects them', () => {
    for (const value of [null, 42, 'text', [1], true]) {
      expect(readReportInput(value as unknown as CallRecord)).toBeUndefined();
      expect(normalizeCallRecord(value, 0).ok).toBe(false);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/compat.js';

const field = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

// Records with plausible and broken values side by side, as a long-lived log contains them.
const recordArbitrary = fc.record(
  {
    ts: field(fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.constant(Number.NaN), fc.string())),
    install_id: field(fc.constantFrom('i1', 'i2', 'i3', '')),
    license_fingerprint: field(fc.oneof(fc.constantFrom('L1', 'L2'), fc.constant(null))),
    tier: field(fc.oneof(fc.constantFrom('core', 'pro', 'max', 'enterprise'), fc.integer())),
    pipeline: field(fc.constantFrom('transcribe', 'analyze')),
    backend: field(fc.constantFrom('gemini', 'hardware')),
    model: field(fc.constantFrom('m1', 'm2')),
    status: field(fc.constantFrom('success', 'error', 'refused', 'partial', 'weird')),
    job_id: field(fc.constantFrom('j1', 'j2', 'j3', 'j4')),
    // Whole cents keep sums away from the rounding boundary of a millionth, so order cannot flip a rounded digit.
    cost_usd: field(fc.oneof(fc.integer({ min: -100, max: 500 }).map((cents) => cents / 100), fc.constant(Number.NaN), fc.string())),
    duration_ms: field(fc.oneof(fc.integer({ min: -10, max: 1_000_000 }), fc.constant(Number.POSITIVE_INFINITY))),
    error: field(fc.string({ maxLength: 400 })),
    audio_seconds: field(fc.integer({ min: 0, max: 10_000 })),
    input_tokens: field(fc.integer({ min: 0, max: 100_000 })),
  },
  { requiredKeys: [] },
);

describe('aggregate properties', () => {
  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 50 }), (values) => {
        const result = aggregate(values);
        expect(result.by_hour_utc).toHaveLength(24);
      }),
    );
  });

  it('gives totals independent of record order', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 80 }), (records) => {
        const forward = aggregate(records);
        const backward = aggregate([...records].reverse());

        expect(backward.summary).toEqual(forward.summary);
        expect(backward.by_tier).toEqual(forward.by_tier);
        expect(backward.by_model).toEqual(forward.by_model);
        expect(backward.by_hour_utc).toEqual(forward.by_hour_utc);
        expect(backward.perf_by_model).toEqual(forward.perf_by_model);
      }),
    );
  });

  it('keeps every total finite and consistent', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 80 }), (records) => {
        const { summary, by_hour_utc: hours, by_tier: tiers, perf_by_model: perf } = aggregate(records);

        expect(summary.calls).toBe(records.length);
        expect(Number.isFinite(summary.total_cost_usd)).toBe(true);
        expect(summary.total_cost_usd).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(summary.avg_duration_ms)).toBe(true);
        expect(hours.reduce((sum, hour) => sum + hour.calls, 0)).toBeLessThanOrEqual(summary.calls);
        expect(tiers.reduce((sum, tier) => sum + tier.calls, 0)).toBe(summary.calls);
        for (const row of perf) {
          expect(row.failures).toBe(row.errors + row.partials);
          if (row.success_rate !== null) expect(row.success_rate).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

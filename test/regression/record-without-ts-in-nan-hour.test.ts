import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/compat.js';

// The original computed the hour of a record without `ts` as NaN and added a
// `NaN` row to by_hour_utc.
describe('record without ts', () => {
  it('adds no NaN row to by_hour_utc', () => {
    const result = aggregate([{ status: 'success', cost_usd: 1 }, { ts: Date.parse('2026-12-01T05:00:00Z'), status: 'success' }]);

    expect(result.by_hour_utc).toHaveLength(24);
    expect(result.by_hour_utc.every((row) => Number.isInteger(row.hour_utc))).toBe(true);
    expect(result.by_hour_utc[5]!.calls).toBe(1);
    expect(result.summary.calls).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/compat.js';

// A `ts` above 8.64e15 passes validation (the bound is Number.MAX_SAFE_INTEGER)
// but is past the last instant a Date holds, so its UTC hour was NaN and adding
// the record to by_hour_utc threw a TypeError, failing the whole report.
describe('record with a ts past the range of Date', () => {
  it('is counted but placed in no hour, instead of failing the report', () => {
    const result = aggregate([
      { ts: 9e15, status: 'success', cost_usd: 1 },
      { ts: Date.parse('2026-12-01T05:00:00Z'), status: 'success' },
    ]);

    expect(result.summary.calls).toBe(2);
    expect(result.by_hour_utc).toHaveLength(24);
    expect(result.by_hour_utc.reduce((sum, row) => sum + row.calls, 0)).toBe(1);
    expect(result.by_hour_utc[5]!.calls).toBe(1);
  });
});

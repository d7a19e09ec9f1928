import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/compat.js';

// by_hour_utc computes the hour with arithmetic instead of a Date per record; it must name the hour Date names.
describe('by_hour_utc', () => {
  it('matches the UTC hour of Date', () => {
    const tsArbitrary = fc.oneof(
      fc.integer({ min: 0, max: 8.64e15 }),
      fc.double({ min: 0, max: 8.64e15, noNaN: true }),
      // Around hour boundaries, where a rounding slip would show.
      fc.integer({ min: 0, max: 1_000_000 }).chain((hours) => fc.double({ min: hours * 3_600_000 - 1, max: hours * 3_600_000 + 1, noNaN: true })),
    );

    fc.assert(
      fc.property(tsArbitrary, (tsMs) => {
        fc.pre(tsMs >= 0);
        const { by_hour_utc: hours } = aggregate([{ ts: tsMs, status: 'success' }]);
        const expected = new Date(tsMs).getUTCHours();

        expect(hours[expected]!.calls).toBe(1);
        expect(hours.reduce((sum, row) => sum + row.calls, 0)).toBe(1);
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInOrder } from '../../src/report/first-in-order.js';

describe('firstInOrder', () => {
  it('returns the first `limit` numbers of a full sort, for any keys with ties and any limit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 120 }), fc.nat({ max: 130 }), (keys, limit) => {
        // Ties on the key are broken by the number, so the order is total, as the job order is.
        const compare = (a: number, b: number) => keys[a]! - keys[b]! || a - b;
        const sorted = keys.map((_, index) => index).sort(compare);

        expect(firstInOrder(keys.length, limit, compare)).toEqual(sorted.slice(0, limit));
      }),
    );
  });
});

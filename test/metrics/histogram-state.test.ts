import { describe, expect, it } from 'vitest';
import { findBucket, HistogramState } from '../../src/metrics/histogram-state.js';
import { ModelAdmission } from '../../src/record/model-admission.js';

describe('findBucket', () => {
  const bounds = [1, 2, 5];

  it.each([
    [0, 0],
    [1, 0],
    [1.5, 1],
    [2, 1],
    [5, 2],
    [6, 3],
  ])('puts %d in bucket %d (bounds are inclusive upper limits)', (value, index) => {
    expect(findBucket(bounds, value)).toBe(index);
  });
});

describe('HistogramState', () => {
  it('builds cumulative counts with +Inf last', () => {
    const state = new HistogramState([1, 2, 5]);
    for (const value of [0.5, 1.5, 1.7, 9]) state.observe(value);
    expect(state.cumulativeCounts()).toEqual([1, 3, 3, 4]);
    expect(state.count).toBe(4);
    expect(state.sum).toBeCloseTo(12.7, 10);
  });
});

describe('ModelAdmission', () => {
  it('admits the first N names, then maps to other and counts the overflow', () => {
    let overflows = 0;
    const admission = new ModelAdmission(2, [], () => (overflows += 1));
    expect(admission.labelFor('a')).toBe('a');
    expect(admission.labelFor('b')).toBe('b');
    expect(admission.labelFor('c')).toBe('other');
    expect(admission.labelFor('a')).toBe('a');
    expect(overflows).toBe(1);
  });

  it('admits allow-listed names without using up the limit', () => {
    const admission = new ModelAdmission(1, ['pinned']);
    expect(admission.labelFor('pinned')).toBe('pinned');
    expect(admission.labelFor('first')).toBe('first');
    expect(admission.labelFor('second')).toBe('other');
  });

  it('maps an absent model to unknown without admitting it', () => {
    const admission = new ModelAdmission(1);
    expect(admission.labelFor(undefined)).toBe('unknown');
    expect(admission.labelFor('x')).toBe('x');
  });

  it('maps an overlong name to other', () => {
    expect(new ModelAdmission(5).labelFor('m'.repeat(500))).toBe('other');
  });

  it('rejects a negative limit', () => {
    expect(() => new ModelAdmission(-1)).toThrow(RangeError);
  });
});

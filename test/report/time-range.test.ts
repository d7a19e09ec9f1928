import { describe, expect, it } from 'vitest';
import { parseTimeBound, parseTimeRange, TimeBoundError } from '../../src/report/time-range.js';

const NOW_MS = Date.parse('2026-12-04T12:00:00Z');

describe('parseTimeBound', () => {
  it.each([
    ['30m', NOW_MS - 30 * 60_000],
    ['12h', NOW_MS - 12 * 3_600_000],
    ['7d', NOW_MS - 7 * 86_400_000],
    ['2w', NOW_MS - 14 * 86_400_000],
    ['45s', NOW_MS - 45_000],
    ['now', NOW_MS],
    ['2026-12-01', Date.parse('2026-12-01T00:00:00Z')],
    ['2026-12-01T08:30:00Z', Date.parse('2026-12-01T08:30:00Z')],
    ['2026-12-01T08:30', Date.parse('2026-12-01T08:30:00Z')],
    ['2026-12-01T08:30:00+02:00', Date.parse('2026-12-01T06:30:00Z')],
  ])('reads %j', (value, expectedMs) => {
    expect(parseTimeBound(value, 'since', NOW_MS)).toBe(expectedMs);
  });

  it.each(['7 days', 'yesterday', '7y', '-7d', '2026-13-45', '12/01/2026', '', '999999999w'])('rejects %j naming the forms', (value) => {
    expect(() => parseTimeBound(value, 'since', NOW_MS)).toThrow(TimeBoundError);
    expect(() => parseTimeBound(value, 'since', NOW_MS)).toThrow(/since ".*" is not a valid time: use an ISO 8601 time .* 7d/);
  });
});

describe('parseTimeRange', () => {
  it('defaults to the last 30 days', () => {
    expect(parseTimeRange(undefined, undefined, NOW_MS)).toEqual({ sinceMs: NOW_MS - 30 * 86_400_000, untilMs: NOW_MS });
  });

  it('rejects a reversed range', () => {
    expect(() => parseTimeRange('1d', '2d', NOW_MS)).toThrow(/since .* is after until/);
  });
});

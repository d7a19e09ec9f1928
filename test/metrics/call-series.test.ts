import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../../src/metrics/call-series.js';

describe('SeriesStore', () => {
  it('returns one series per label combination', () => {
    const store = new SeriesStore();
    const first = store.callSeriesFor('pro', 'analyze', 'gemini', 'gemini-3-pro', 'success');
    const again = store.callSeriesFor('pro', 'analyze', 'gemini', 'gemini-3-pro', 'success');
    const otherStatus = store.callSeriesFor('pro', 'analyze', 'gemini', 'gemini-3-pro', 'error');
    const otherModel = store.callSeriesFor('pro', 'analyze', 'gemini', 'gemini-3-flash', 'success');

    expect(again).toBe(first);
    expect(otherStatus).not.toBe(first);
    expect(otherModel).not.toBe(first);
    expect(first.labels).toEqual({ tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-pro', status: 'success' });
    expect(store.calls.size).toBe(3);
  });

  it('finds the same series by label object', () => {
    const store = new SeriesStore();
    const labels = { tier: 'core', pipeline: 'transcribe', backend: 'hardware', model: 'whisper', status: 'partial' };
    const byObject = store.callSeries(labels);

    expect(store.callSeriesFor('core', 'transcribe', 'hardware', 'whisper', 'partial')).toBe(byObject);
    expect([...store.calls.values()]).toEqual([byObject]);
  });
});

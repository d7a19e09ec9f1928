import { TOKEN_TYPES } from '../record/call-record.js';
import type { CallSeries, SeriesStore } from './call-series.js';
import { CollectedMetric, type CollectedValue } from './collected-metric.js';
import type { HistogramState } from './histogram-state.js';

/** Builds the per-call families (calls, cost, tokens, credits, audio, durations, errors) over one store. */
export function createCallFamilies(store: SeriesStore): CollectedMetric[] {
  const everySeries = () => store.calls.values();

  return [
    counter('relay_calls_total', 'Relay calls recorded, by outcome.', everySeries, (series) => series.calls),
    counter('relay_cost_usd_total', 'Provider cost of relay calls in US dollars.', everySeries, (series) => series.costUsd),
    counter(
      'relay_credits_charged_total',
      'User credits charged for relay calls.',
      everySeries,
      (series) => series.creditsCharged,
    ),
    counter(
      'relay_audio_seconds_total',
      'Seconds of audio submitted for transcription.',
      everySeries,
      (series) => series.audioSeconds,
    ),
    new CollectedMetric('relay_tokens_total', 'Tokens used by relay calls, by token type.', 'counter', () =>
      collectTokenTotals(store),
    ),
    histogram('relay_call_duration_seconds', 'Duration of relay calls in seconds.', store, (series) => [
      [series.labels, series.duration],
    ]),
    histogram('relay_call_cost_usd', 'Provider cost per relay call in US dollars.', store, (series) => [
      [series.labels, series.cost],
    ]),
    histogram('relay_call_tokens', 'Tokens per relay call, by token type.', store, (series) =>
      TOKEN_TYPES.map((type) => [series.tokenLabels[type], series.tokenHistograms[type]] as const),
    ),
    new CollectedMetric(
      'relay_errors_total',
      'Relay calls that did not succeed, by error class.',
      'counter',
      () => [...store.errors.values()].map((series) => ({ value: series.count, labels: {}, sharedLabels: series.labels })),
    ),
  ];
}

function counter(
  name: string,
  help: string,
  everySeries: () => Iterable<CallSeries>,
  read: (series: CallSeries) => number,
): CollectedMetric {
  return new CollectedMetric(name, help, 'counter', () => {
    const values: CollectedValue[] = [];
    for (const series of everySeries()) values.push({ value: read(series), labels: {}, sharedLabels: series.labels });
    return values;
  });
}

function collectTokenTotals(store: SeriesStore): CollectedValue[] {
  const values: CollectedValue[] = [];
  for (const series of store.calls.values()) {
    for (const type of TOKEN_TYPES) {
      values.push({ value: series.tokens[type], labels: {}, sharedLabels: series.tokenLabels[type] });
    }
  }
  return values;
}

function histogram(
  name: string,
  help: string,
  store: SeriesStore,
  select: (series: CallSeries) => ReadonlyArray<readonly [object, HistogramState]>,
): CollectedMetric {
  return new CollectedMetric(name, help, 'histogram', () => {
    const values: CollectedValue[] = [];
    for (const series of store.calls.values()) {
      for (const [labels, state] of select(series)) appendHistogramValues(name, labels, state, values);
    }
    return values;
  });
}

function appendHistogramValues(name: string, labels: object, state: HistogramState, values: CollectedValue[]): void {
  const cumulative = state.cumulativeCounts();
  state.upperBounds.forEach((bound, index) => {
    values.push({ value: cumulative[index]!, labels: { le: bound }, sharedLabels: labels, metricName: `${name}_bucket` });
  });
  values.push({ value: state.count, labels: { le: '+Inf' }, sharedLabels: labels, metricName: `${name}_bucket` });
  values.push({ value: state.sum, labels: {}, sharedLabels: labels, metricName: `${name}_sum` });
  values.push({ value: state.count, labels: {}, sharedLabels: labels, metricName: `${name}_count` });
}

import { TOKEN_TYPES } from '../record/call-record.js';
import type { CallSeries, SeriesStore } from './call-series.js';
import { CollectedMetric, type CollectedValue } from './collected-metric.js';
import type { HistogramState } from './histogram-state.js';

// One shared object for values whose labels all sit in `sharedLabels`, so a
// scrape does not allocate an empty object per sample line.
const NO_LABELS: Record<string, string | number> = Object.freeze({});

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
      () => [...store.errors.values()].map((series) => ({ value: series.count, labels: NO_LABELS, sharedLabels: series.labels })),
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
    for (const series of everySeries()) values.push({ value: read(series), labels: NO_LABELS, sharedLabels: series.labels });
    return values;
  });
}

function collectTokenTotals(store: SeriesStore): CollectedValue[] {
  const values: CollectedValue[] = [];
  for (const series of store.calls.values()) {
    for (const type of TOKEN_TYPES) {
      values.push({ value: series.tokens[type], labels: NO_LABELS, sharedLabels: series.tokenLabels[type] });
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
  const bucketLabels = new BucketLabels();
  const names = { bucket: `${name}_bucket`, sum: `${name}_sum`, count: `${name}_count` };

  return new CollectedMetric(name, help, 'histogram', () => {
    const values: CollectedValue[] = [];
    for (const series of store.calls.values()) {
      for (const [labels, state] of select(series)) {
        appendHistogramValues(names, labels, bucketLabels.for(labels, state.upperBounds), state, values);
      }
    }
    return values;
  });
}

/**
 * The label sets of one histogram family's bucket lines, `le` included, built
 * once per series. prom-client's registry caches the formatted text of each
 * `sharedLabels` object by identity, so keeping these objects alive lets
 * every later scrape reuse that text instead of formatting `le` and the other
 * labels again for each bucket line.
 */
class BucketLabels {
  private readonly bySeriesLabels = new WeakMap<object, object[]>();

  for(labels: object, upperBounds: readonly number[]): object[] {
    let bucketLabels = this.bySeriesLabels.get(labels);
    if (bucketLabels === undefined) {
      bucketLabels = upperBounds.map((bound) => ({ ...labels, le: bound }));
      bucketLabels.push({ ...labels, le: '+Inf' });
      this.bySeriesLabels.set(labels, bucketLabels);
    }
    return bucketLabels;
  }
}

// The last cumulative count is the +Inf bucket, which equals the count.
function appendHistogramValues(
  names: { bucket: string; sum: string; count: string },
  labels: object,
  bucketLabels: readonly object[],
  state: HistogramState,
  values: CollectedValue[],
): void {
  const cumulative = state.cumulativeCounts();
  for (let index = 0; index < cumulative.length; index += 1) {
    values.push({ value: cumulative[index]!, labels: NO_LABELS, sharedLabels: bucketLabels[index], metricName: names.bucket });
  }
  values.push({ value: state.sum, labels: NO_LABELS, sharedLabels: labels, metricName: names.sum });
  values.push({ value: state.count, labels: NO_LABELS, sharedLabels: labels, metricName: names.count });
}

import type { Attributes, Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';

/** A reader that exports nothing on its own; the test pulls data with collect(). */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface TestMeter {
  provider: MeterProvider;
  meter: Meter;
  /** Collects every metric of the provider, as an exporter would receive it. */
  collect(): Promise<MetricData[]>;
  /** Collects and returns the instrumentation scopes with their metrics. */
  collectScopes(): Promise<ScopeMetrics[]>;
  shutdown(): Promise<void>;
}

/** Starts a real sdk-metrics MeterProvider whose metrics a test reads in memory. */
export function startTestMeter(): TestMeter {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });

  const collectScopes = async () => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    return resourceMetrics.scopeMetrics;
  };

  return {
    provider,
    meter: provider.getMeter('relay-metrics-test'),
    collect: async () => (await collectScopes()).flatMap((scope) => scope.metrics),
    collectScopes,
    shutdown: () => provider.shutdown(),
  };
}

/** A data point reduced to what the tests compare: a sum, or a histogram's count and sum. */
export interface PointValue {
  attributes: Attributes;
  value: number;
  count?: number;
  buckets?: { boundaries: number[]; counts: number[] };
}

/** Returns the metric called `name`, failing with the names present when it is missing. */
export function findMetric(metrics: MetricData[], name: string): MetricData {
  const metric = metrics.find((candidate) => candidate.descriptor.name === name);
  if (metric === undefined) throw new Error(`metric ${name} not found; present: ${metrics.map((m) => m.descriptor.name).join(', ')}`);
  return metric;
}

/** Flattens a metric's points; a histogram point's value is its sum. */
export function pointsOf(metric: MetricData): PointValue[] {
  return metric.dataPoints.map((point) => {
    const value = point.value;
    if (typeof value === 'number') return { attributes: point.attributes, value };
    if ('buckets' in value && 'boundaries' in value.buckets) {
      return { attributes: point.attributes, value: value.sum ?? 0, count: value.count, buckets: value.buckets };
    }
    throw new Error(`unexpected point type in ${metric.descriptor.name}`);
  });
}

/** Sums the values of the points whose attributes include every pair in `where`. */
export function sumPoints(points: PointValue[], where: Attributes = {}, field: 'value' | 'count' = 'value'): number {
  let sum = 0;
  for (const point of points) {
    const matches = Object.entries(where).every(([key, expected]) => point.attributes[key] === expected);
    if (matches) sum += field === 'count' ? (point.count ?? 0) : point.value;
  }
  return sum;
}

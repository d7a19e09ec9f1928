import type { Registry } from 'prom-client';

/**
 * One sample as prom-client's registry formats it. `sharedLabels` contains the
 * labels common to many samples: the registry caches their formatted text by
 * object identity, so passing the same object on every scrape saves the work.
 */
export interface CollectedValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: object;
  metricName?: string;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/**
 * A metric family whose values are produced at scrape time from state kept
 * outside prom-client. prom-client's registry (15.x) formats any object with a
 * name, help, type and an async `get()`, so the exposition and the escaping of
 * label values still come from prom-client. `reset` exists because
 * `Registry.resetMetrics` calls it on every metric.
 */
export class CollectedMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricKind,
    private readonly collectValues: () => CollectedValue[],
  ) {}

  get(): Promise<{ name: string; help: string; type: MetricKind; aggregator: string; values: CollectedValue[] }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.collectValues(),
    });
  }

  reset(): void {}
}

/** Registers a CollectedMetric; the cast is needed because prom-client types `registerMetric` with its own classes. */
export function registerCollectedMetric(registry: Registry, metric: CollectedMetric): void {
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { TIERS } from '../record/call-record.js';
import type { DroppedValue, NormalizedCall } from '../record/normalize.js';
import type { CallSink } from '../record/sink.js';
import { ActiveUsers } from './active-users.js';
import { createCallFamilies } from './call-families.js';
import { SeriesStore, type CallSeries } from './call-series.js';
import { CollectedMetric, registerCollectedMetric } from './collected-metric.js';
import { DEFAULT_MAX_MODELS, ModelAdmission } from '../record/model-admission.js';
import { createSelfMetrics, type SelfMetrics } from './self-metrics.js';
import { exportSinkState, importSinkState, type SinkState, type SinkStateParts } from './sink-state.js';

export interface PrometheusSinkOptions {
  /** Registry to add the families to; a new one when absent. */
  registry?: Registry;
  /** Distinct `model` label values admitted before new ones become `other`. Default 50. */
  maxModels?: number;
  /** Models always admitted, not counted against `maxModels`. */
  modelAllowList?: readonly string[];
  /** Monthly price per tier in US dollars, exported as `relay_tier_price_usd`. */
  tierPricesUsd?: Partial<Record<string, number>>;
  /** Add Node.js process metrics (`process_*`, `nodejs_*`). Default true. */
  processMetrics?: boolean;
  version: string;
  /** Clock for the active-user window; tests replace it. */
  nowMs?: () => number;
}

/** The Prometheus side of the exporter: applies calls to the families that prom-client serves. */
export class PrometheusSink implements CallSink {
  readonly registry: Registry;
  readonly self: SelfMetrics;
  private readonly store = new SeriesStore();
  private readonly models: ModelAdmission;
  private readonly activeUsers = new ActiveUsers();
  private readonly nowMs: () => number;
  private readonly stateParts: SinkStateParts;

  constructor(options: PrometheusSinkOptions) {
    this.registry = options.registry ?? new Registry();
    this.nowMs = options.nowMs ?? Date.now;
    this.self = createSelfMetrics(this.registry, options.version);
    this.models = new ModelAdmission(options.maxModels ?? DEFAULT_MAX_MODELS, options.modelAllowList, () =>
      this.self.labelOverflows.inc({ label: 'model' }),
    );
    this.self.labelOverflows.inc({ label: 'model' }, 0);

    for (const family of createCallFamilies(this.store)) registerCollectedMetric(this.registry, family);
    registerCollectedMetric(this.registry, this.createActiveUsersFamily());
    this.createTierPriceFamily(options.tierPricesUsd ?? {});
    if (options.processMetrics ?? true) addProcessMetrics(this.registry);

    const counters = Object.values(this.self).filter((metric): metric is Counter<string> => metric instanceof Counter);
    this.stateParts = {
      store: this.store,
      models: this.models,
      activeUsers: this.activeUsers,
      counters: new Map(counters.map((counter) => [(counter as unknown as { name: string }).name, counter])),
    };
  }

  /** Copies every total, bucket and counter, for a checkpoint. Call it between two `apply` calls. */
  exportState(): Promise<SinkState> {
    return exportSinkState(this.stateParts);
  }

  /** Adds a state saved by `exportState`; throws SinkStateError and changes nothing when it does not fit. */
  importState(state: unknown): void {
    importSinkState(this.stateParts, state);
  }

  apply(call: NormalizedCall, dropped: readonly DroppedValue[]): void {
    for (const value of dropped) this.self.droppedValues.inc({ field: value.field, reason: value.reason });

    const model = this.models.labelFor(call.model);
    const series = this.store.callSeriesFor(call.tier, call.pipeline, call.backend, model, call.status);
    addCall(series, call);

    if (call.errorClass !== undefined) {
      this.store.errorSeries({
        pipeline: call.pipeline,
        backend: call.backend,
        model,
        error_class: call.errorClass,
      }).count += 1;
    }
    this.activeUsers.observe(call);
  }

  private createActiveUsersFamily(): CollectedMetric {
    return new CollectedMetric(
      'relay_active_users',
      'Distinct users over the last 30 days: installs for core, licenses for paid tiers.',
      'gauge',
      () => [...this.activeUsers.countByTier(this.nowMs())].map(([tier, count]) => ({ value: count, labels: { tier } })),
    );
  }

  private createTierPriceFamily(pricesUsd: Partial<Record<string, number>>): void {
    const gauge = new Gauge({
      name: 'relay_tier_price_usd',
      help: 'Configured monthly price per tier in US dollars; revenue is active users times price.',
      labelNames: ['tier'],
      registers: [this.registry],
    });
    for (const tier of TIERS) gauge.set({ tier }, pricesUsd[tier] ?? 0);
  }
}

function addCall(series: CallSeries, call: NormalizedCall): void {
  series.calls += 1;

  if (call.costUsd !== undefined) {
    series.costUsd += call.costUsd;
    series.cost.observe(call.costUsd);
  }
  if (call.durationSeconds !== undefined) series.duration.observe(call.durationSeconds);
  if (call.creditsCharged !== undefined) series.creditsCharged += call.creditsCharged;
  if (call.audioSeconds !== undefined) series.audioSeconds += call.audioSeconds;

  addTokens(series, 'input', call.inputTokens);
  addTokens(series, 'output', call.outputTokens);
  addTokens(series, 'thinking', call.thinkingTokens);
}

function addTokens(series: CallSeries, type: 'input' | 'output' | 'thinking', count: number | undefined): void {
  if (count === undefined) return;
  series.tokens[type] += count;
  series.tokenHistograms[type].observe(count);
}

// prom-client 15.1.3 names three gauges with a `_total` suffix, which
// `promtool check metrics` reports as a lint problem. They are left out so the
// exposition passes the check, and the other process metrics stay.
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

function addProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
}

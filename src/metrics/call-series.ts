import type { TokenType } from '../record/call-record.js';
import { COST_BUCKETS_USD, DURATION_BUCKETS_SECONDS, TOKEN_BUCKETS } from './buckets.js';
import { HistogramState } from './histogram-state.js';

/** The closed label set of the per-call families. */
export interface CallLabels {
  tier: string;
  pipeline: string;
  backend: string;
  model: string;
  status: string;
}

/** The label set of `relay_errors_total`. */
export interface ErrorLabels {
  pipeline: string;
  backend: string;
  model: string;
  error_class: string;
}

/**
 * Every running total for one combination of call labels. Recording a call
 * touches only this object, so the per-record cost is one series lookup and
 * plain additions; prom-client reads the totals when scraped.
 */
export class CallSeries {
  calls = 0;
  costUsd = 0;
  creditsCharged = 0;
  audioSeconds = 0;
  readonly tokens: Record<TokenType, number> = { input: 0, output: 0, thinking: 0 };
  readonly duration = new HistogramState(DURATION_BUCKETS_SECONDS);
  readonly cost = new HistogramState(COST_BUCKETS_USD);
  readonly tokenHistograms: Record<TokenType, HistogramState> = {
    input: new HistogramState(TOKEN_BUCKETS),
    output: new HistogramState(TOKEN_BUCKETS),
    thinking: new HistogramState(TOKEN_BUCKETS),
  };
  /** The labels plus `token_type`, built once because the exposition reads them on every scrape. */
  readonly tokenLabels: Record<TokenType, CallLabels & { token_type: TokenType }>;

  constructor(readonly labels: CallLabels) {
    this.tokenLabels = {
      input: { ...labels, token_type: 'input' },
      output: { ...labels, token_type: 'output' },
      thinking: { ...labels, token_type: 'thinking' },
    };
  }
}

/** A counter per combination of error labels. */
export class ErrorSeries {
  count = 0;

  constructor(readonly labels: ErrorLabels) {}
}

// Levels of the lookup tree, one per call label: tier, pipeline, backend, status, then model.
type LookupLevel<T> = Map<string, T>;
type CallSeriesTree = LookupLevel<LookupLevel<LookupLevel<LookupLevel<LookupLevel<CallSeries>>>>>;

/** Creates each series on first use, keyed by its label values. */
export class SeriesStore {
  readonly calls = new Map<string, CallSeries>();
  readonly errors = new Map<string, ErrorSeries>();
  // The same call series as `calls`, found label by label. Recording a call
  // looks its series up here, which allocates nothing, where building the
  // joined key of `calls` would allocate a string for every record.
  private readonly callTree: CallSeriesTree = new Map();

  callSeries(labels: CallLabels): CallSeries {
    return this.callSeriesFor(labels.tier, labels.pipeline, labels.backend, labels.model, labels.status);
  }

  /** Returns the series of these label values, creating it on first use. */
  callSeriesFor(tier: string, pipeline: string, backend: string, model: string, status: string): CallSeries {
    const byModel = childLevel(childLevel(childLevel(childLevel(this.callTree, tier), pipeline), backend), status);
    const series = byModel.get(model);
    if (series !== undefined) return series;

    const created = new CallSeries({ tier, pipeline, backend, model, status });
    byModel.set(model, created);
    this.calls.set(`${tier}\u0000${pipeline}\u0000${backend}\u0000${model}\u0000${status}`, created);
    return created;
  }

  errorSeries(labels: ErrorLabels): ErrorSeries {
    const key = `${labels.pipeline}\u0000${labels.backend}\u0000${labels.model}\u0000${labels.error_class}`;
    let series = this.errors.get(key);
    if (series === undefined) {
      series = new ErrorSeries(labels);
      this.errors.set(key, series);
    }
    return series;
  }
}

function childLevel<T>(level: LookupLevel<LookupLevel<T>>, key: string): LookupLevel<T> {
  let child = level.get(key);
  if (child === undefined) {
    child = new Map();
    level.set(key, child);
  }
  return child;
}

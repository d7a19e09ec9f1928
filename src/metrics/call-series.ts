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
 * touches only this object, so the per-record cost is one map lookup and
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

/** Creates each series on first use, keyed by its label values. */
export class SeriesStore {
  readonly calls = new Map<string, CallSeries>();
  readonly errors = new Map<string, ErrorSeries>();

  callSeries(labels: CallLabels): CallSeries {
    const key = `${labels.tier}\u0000${labels.pipeline}\u0000${labels.backend}\u0000${labels.model}\u0000${labels.status}`;
    let series = this.calls.get(key);
    if (series === undefined) {
      series = new CallSeries(labels);
      this.calls.set(key, series);
    }
    return series;
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

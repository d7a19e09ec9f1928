import type { Counter } from 'prom-client';
import { TOKEN_TYPES, type TokenType } from '../record/call-record.js';
import type { ActiveUsers } from './active-users.js';
import { COST_BUCKETS_USD, DURATION_BUCKETS_SECONDS, TOKEN_BUCKETS } from './buckets.js';
import type { CallLabels, CallSeries, ErrorLabels, SeriesStore } from './call-series.js';
import type { HistogramState } from './histogram-state.js';
import type { ModelAdmission } from '../record/model-admission.js';

const SINK_STATE_FORMAT = 1;

export interface HistogramSnapshot {
  /** Count per bucket, not cumulative, +Inf last. */
  bucketCounts: number[];
  sum: number;
  count: number;
}

export interface CallSeriesSnapshot {
  labels: CallLabels;
  calls: number;
  costUsd: number;
  creditsCharged: number;
  audioSeconds: number;
  tokens: Record<TokenType, number>;
  duration: HistogramSnapshot;
  cost: HistogramSnapshot;
  tokenHistograms: Record<TokenType, HistogramSnapshot>;
}

export interface CounterSample {
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Everything the Prometheus sink must carry over a restart so that no counter
 * goes down: per-series totals and histogram buckets, the admitted model
 * names, the active-user last-seen times and the self-metric counters. Plain
 * JSON, so it fits a checkpoint file.
 */
export interface SinkState {
  format: typeof SINK_STATE_FORMAT;
  /** The bucket bounds the counts were taken with; a state taken with others cannot be loaded. */
  bucketBounds: { duration: number[]; cost: number[]; tokens: number[] };
  calls: CallSeriesSnapshot[];
  errors: Array<{ labels: ErrorLabels; count: number }>;
  models: string[];
  activeUsers: Array<[string, Array<[string, number]>]>;
  counters: Record<string, CounterSample[]>;
}

/** The parts of a PrometheusSink that a SinkState covers. */
export interface SinkStateParts {
  store: SeriesStore;
  models: ModelAdmission;
  activeUsers: ActiveUsers;
  /** prom-client counters that must not reset, by metric name. */
  counters: ReadonlyMap<string, Counter<string>>;
}

/** Raised when a saved state does not fit this version of the sink; the message names the field. */
export class SinkStateError extends Error {
  readonly code = 'ERR_SINK_STATE_INVALID';

  constructor(problem: string) {
    super(`saved metric state is invalid: ${problem}`);
    this.name = 'SinkStateError';
  }
}

/** Copies the sink's state. It awaits prom-client's counters, so take it where no call is being applied. */
export async function exportSinkState(parts: SinkStateParts): Promise<SinkState> {
  const counters: Record<string, CounterSample[]> = {};
  for (const [name, counter] of parts.counters) {
    const { values } = await counter.get();
    counters[name] = values
      .filter((sample) => sample.value !== 0)
      .map((sample) => ({ labels: { ...sample.labels } as Record<string, string | number>, value: sample.value }));
  }

  return {
    format: SINK_STATE_FORMAT,
    bucketBounds: currentBucketBounds(),
    calls: [...parts.store.calls.values()].map(snapshotCallSeries),
    errors: [...parts.store.errors.values()].map((series) => ({ labels: { ...series.labels }, count: series.count })),
    models: parts.models.admittedNames(),
    activeUsers: parts.activeUsers.lastSeen(),
    counters,
  };
}

/**
 * Adds a saved state to the sink, which is normally empty at this point. The
 * whole state is validated first, so a bad one changes nothing.
 */
export function importSinkState(parts: SinkStateParts, value: unknown): void {
  const state = validateSinkState(value, parts.counters);

  parts.models.restoreAdmitted(state.models);
  for (const snapshot of state.calls) restoreCallSeries(parts.store.callSeries(snapshot.labels), snapshot);
  for (const { labels, count } of state.errors) parts.store.errorSeries(labels).count += count;
  parts.activeUsers.restoreLastSeen(state.activeUsers);
  for (const [name, samples] of Object.entries(state.counters)) {
    const counter = parts.counters.get(name)!;
    for (const sample of samples) counter.inc(sample.labels, sample.value);
  }
}

function currentBucketBounds(): SinkState['bucketBounds'] {
  return { duration: [...DURATION_BUCKETS_SECONDS], cost: [...COST_BUCKETS_USD], tokens: [...TOKEN_BUCKETS] };
}

function snapshotCallSeries(series: CallSeries): CallSeriesSnapshot {
  return {
    labels: { ...series.labels },
    calls: series.calls,
    costUsd: series.costUsd,
    creditsCharged: series.creditsCharged,
    audioSeconds: series.audioSeconds,
    tokens: { ...series.tokens },
    duration: snapshotHistogram(series.duration),
    cost: snapshotHistogram(series.cost),
    tokenHistograms: {
      input: snapshotHistogram(series.tokenHistograms.input),
      output: snapshotHistogram(series.tokenHistograms.output),
      thinking: snapshotHistogram(series.tokenHistograms.thinking),
    },
  };
}

function snapshotHistogram(state: HistogramState): HistogramSnapshot {
  return { bucketCounts: Array.from(state.bucketCounts), sum: state.sum, count: state.count };
}

function restoreCallSeries(series: CallSeries, snapshot: CallSeriesSnapshot): void {
  series.calls += snapshot.calls;
  series.costUsd += snapshot.costUsd;
  series.creditsCharged += snapshot.creditsCharged;
  series.audioSeconds += snapshot.audioSeconds;
  for (const type of TOKEN_TYPES) {
    series.tokens[type] += snapshot.tokens[type];
    restoreHistogram(series.tokenHistograms[type], snapshot.tokenHistograms[type]);
  }
  restoreHistogram(series.duration, snapshot.duration);
  restoreHistogram(series.cost, snapshot.cost);
}

function restoreHistogram(state: HistogramState, snapshot: HistogramSnapshot): void {
  snapshot.bucketCounts.forEach((count, index) => {
    state.bucketCounts[index]! += count;
  });
  state.sum += snapshot.sum;
  state.count += snapshot.count;
}

// Validation: a state file may have been edited by hand or written by another
// version, and loading half of it would leave counters that match nothing.

function validateSinkState(value: unknown, counters: ReadonlyMap<string, Counter<string>>): SinkState {
  const state = value as Partial<SinkState> | null;
  if (typeof state !== 'object' || state === null) throw new SinkStateError('not an object');
  if (state.format !== SINK_STATE_FORMAT) {
    throw new SinkStateError(`format ${JSON.stringify(state.format)} is not ${SINK_STATE_FORMAT}`);
  }
  if (JSON.stringify(state.bucketBounds) !== JSON.stringify(currentBucketBounds())) {
    throw new SinkStateError('histogram bucket bounds differ from this version; the saved counts cannot be mapped');
  }

  requireArray(state.calls, 'calls').forEach((snapshot, index) => validateCallSeries(snapshot, `calls[${index}]`));
  requireArray(state.errors, 'errors').forEach((entry, index) => {
    requireStrings(entry.labels, ['pipeline', 'backend', 'model', 'error_class'], `errors[${index}].labels`);
    requireAmount(entry.count, `errors[${index}].count`);
  });
  requireArray(state.models, 'models').forEach((model, index) => requireString(model, `models[${index}]`));
  validateActiveUsers(state.activeUsers);
  validateCounters(state.counters, counters);
  return state as SinkState;
}

function validateCallSeries(snapshot: CallSeriesSnapshot, path: string): void {
  requireStrings(snapshot.labels, ['tier', 'pipeline', 'backend', 'model', 'status'], `${path}.labels`);
  for (const field of ['calls', 'costUsd', 'creditsCharged', 'audioSeconds'] as const) requireAmount(snapshot[field], `${path}.${field}`);
  for (const type of TOKEN_TYPES) {
    requireAmount(snapshot.tokens?.[type], `${path}.tokens.${type}`);
    validateHistogram(snapshot.tokenHistograms?.[type], TOKEN_BUCKETS.length, `${path}.tokenHistograms.${type}`);
  }
  validateHistogram(snapshot.duration, DURATION_BUCKETS_SECONDS.length, `${path}.duration`);
  validateHistogram(snapshot.cost, COST_BUCKETS_USD.length, `${path}.cost`);
}

function validateHistogram(snapshot: HistogramSnapshot | undefined, boundCount: number, path: string): void {
  const buckets = requireArray(snapshot?.bucketCounts, `${path}.bucketCounts`);
  if (buckets.length !== boundCount + 1) {
    throw new SinkStateError(`${path}.bucketCounts has ${buckets.length} entries, expected ${boundCount + 1}`);
  }
  buckets.forEach((count, index) => requireAmount(count, `${path}.bucketCounts[${index}]`));
  requireAmount(snapshot!.sum, `${path}.sum`);
  requireAmount(snapshot!.count, `${path}.count`);
}

function validateActiveUsers(value: unknown): void {
  requireArray(value as unknown[], 'activeUsers').forEach((entry, index) => {
    const [tier, users] = entry as [unknown, unknown];
    requireString(tier, `activeUsers[${index}][0]`);
    requireArray(users as unknown[], `activeUsers[${index}][1]`).forEach((user, userIndex) => {
      const [userId, lastSeenMs] = user as [unknown, unknown];
      requireString(userId, `activeUsers[${index}][1][${userIndex}][0]`);
      requireAmount(lastSeenMs, `activeUsers[${index}][1][${userIndex}][1]`);
    });
  });
}

function validateCounters(value: unknown, counters: ReadonlyMap<string, Counter<string>>): void {
  if (typeof value !== 'object' || value === null) throw new SinkStateError('"counters" is not an object');

  for (const [name, samples] of Object.entries(value as Record<string, unknown>)) {
    const counter = counters.get(name);
    if (counter === undefined) throw new SinkStateError(`counters.${name} is not a counter of this version`);
    // prom-client keeps the declared label names on the instance; an unknown name would throw inside `inc`.
    const labelNames = new Set((counter as unknown as { labelNames: string[] }).labelNames);

    requireArray(samples as unknown[], `counters.${name}`).forEach((sample, index) => {
      const { labels, value: amount } = sample as Partial<CounterSample>;
      if (typeof labels !== 'object' || labels === null) throw new SinkStateError(`counters.${name}[${index}].labels is not an object`);
      for (const [label, labelValue] of Object.entries(labels)) {
        if (!labelNames.has(label)) throw new SinkStateError(`counters.${name}[${index}] has unknown label ${JSON.stringify(label)}`);
        if (typeof labelValue !== 'string' && typeof labelValue !== 'number') {
          throw new SinkStateError(`counters.${name}[${index}].labels.${label} is neither a string nor a number`);
        }
      }
      requireAmount(amount, `counters.${name}[${index}].value`);
    });
  }
}

function requireArray<T>(value: T[] | undefined, path: string): T[] {
  if (!Array.isArray(value)) throw new SinkStateError(`${path} is not a list`);
  return value;
}

function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string') throw new SinkStateError(`${path} is not a string`);
}

function requireStrings(value: unknown, keys: readonly string[], path: string): void {
  if (typeof value !== 'object' || value === null) throw new SinkStateError(`${path} is not an object`);
  for (const key of keys) requireString((value as Record<string, unknown>)[key], `${path}.${key}`);
}

function requireAmount(value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SinkStateError(`${path} is ${JSON.stringify(value)}, not a finite number >= 0`);
  }
}

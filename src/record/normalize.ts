import {
  ABSENT_LABEL,
  BACKENDS,
  OTHER_LABEL,
  PIPELINES,
  STATUSES,
  TIERS,
  type CallRecord,
} from './call-record.js';
import { classifyError, type ErrorClass } from './error-class.js';

/** Reason a field's value was kept out of the metrics. */
export type DropReason = 'not_a_number' | 'not_finite' | 'negative' | 'too_large';

export interface DroppedValue {
  field: string;
  reason: DropReason;
}

/**
 * The metric-facing view of one call: bounded label values and numbers that
 * passed validation. A number that failed validation is absent here and listed
 * in `NormalizeResult.dropped`.
 */
export interface NormalizedCall {
  tsMs: number | undefined;
  tier: string;
  pipeline: string;
  backend: string;
  /** Raw model name; the sink decides whether it becomes a label value. */
  model: string | undefined;
  status: string;
  errorClass: ErrorClass | undefined;
  installId: string | undefined;
  licenseFingerprint: string | undefined;
  durationSeconds: number | undefined;
  costUsd: number | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  thinkingTokens: number | undefined;
  audioSeconds: number | undefined;
  creditsCharged: number | undefined;
}

export type NormalizeResult =
  | { ok: true; record: CallRecord; call: NormalizedCall; dropped: DroppedValue[] }
  | { ok: false; reason: string };

// Upper bounds for one call. A value above them is a unit mistake or garbage
// (a duration in microseconds, a cost in cents), and one such value would
// dominate a counter forever, so it is dropped like a negative one.
export const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;
export const MAX_AUDIO_SECONDS = 7 * 24 * 3600;
export const MAX_TOKENS = 1e9;
export const MAX_COST_USD = 10_000;
const MAX_CREDITS = 1_000;

/**
 * Validates one call record. Returns the record to store (with `ts` set when it
 * was absent) and its metric view, or a reason when the input is not a JSON
 * object at all. Bad numbers do not reject a record: the log keeps them as they
 * arrived and the metric view leaves them out.
 */
export function normalizeCallRecord(input: unknown, nowMs: number): NormalizeResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: `expected a JSON object, got ${describeType(input)}` };
  }

  const source = input as CallRecord;
  const record: CallRecord = source.ts === undefined ? { ts: nowMs, ...source } : source;
  const dropped: DroppedValue[] = [];

  const tsMs = readAmount(record, 'ts', Number.MAX_SAFE_INTEGER, dropped);
  const durationMs = readAmount(record, 'duration_ms', MAX_DURATION_MS, dropped);
  const status = enumLabel(record.status, STATUSES);

  const call: NormalizedCall = {
    tsMs,
    tier: enumLabel(record.tier, TIERS),
    pipeline: enumLabel(record.pipeline, PIPELINES),
    backend: enumLabel(record.backend, BACKENDS),
    model: typeof record.model === 'string' ? record.model : undefined,
    status,
    errorClass: classifyError(status, typeof record.error === 'string' ? record.error : undefined),
    installId: optionalString(record.install_id),
    licenseFingerprint: optionalString(record.license_fingerprint),
    durationSeconds: durationMs === undefined ? undefined : durationMs / 1000,
    costUsd: readAmount(record, 'cost_usd', MAX_COST_USD, dropped),
    inputTokens: readAmount(record, 'input_tokens', MAX_TOKENS, dropped),
    outputTokens: readAmount(record, 'output_tokens', MAX_TOKENS, dropped),
    thinkingTokens: readAmount(record, 'thinking_tokens', MAX_TOKENS, dropped),
    audioSeconds: readAmount(record, 'audio_seconds', MAX_AUDIO_SECONDS, dropped),
    creditsCharged: readAmount(record, 'credit_charged', MAX_CREDITS, dropped),
  };

  return { ok: true, record, call, dropped };
}

/** Maps a value to itself when it is in the known set, else to `unknown` (absent) or `other`. */
export function enumLabel(value: unknown, allowed: readonly string[]): string {
  if (value === undefined || value === null || value === '') return ABSENT_LABEL;
  if (typeof value === 'string' && allowed.includes(value)) return value;
  return OTHER_LABEL;
}

function readAmount(
  record: CallRecord,
  field: string,
  maxValue: number,
  dropped: DroppedValue[],
): number | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;

  const reason = validateAmount(value, maxValue);
  if (reason !== undefined) {
    dropped.push({ field, reason });
    return undefined;
  }
  return value as number;
}

/**
 * Returns `value` when it passes the same checks as the metric view's numbers,
 * else undefined; for a reader that skips bad values without listing why.
 */
export function validAmount(value: unknown, maxValue: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  return validateAmount(value, maxValue) === undefined ? (value as number) : undefined;
}

// The log stores non-finite numbers as these strings (JSON has no NaN or
// Infinity), so a replayed record reports the same reason as the original call.
const NON_FINITE_STRINGS: ReadonlySet<unknown> = new Set(['NaN', 'Infinity', '-Infinity']);

function validateAmount(value: unknown, maxValue: number): DropReason | undefined {
  if (typeof value !== 'number') return NON_FINITE_STRINGS.has(value) ? 'not_finite' : 'not_a_number';
  if (!Number.isFinite(value)) return 'not_finite';
  if (value < 0) return 'negative';
  if (value > maxValue) return 'too_large';
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

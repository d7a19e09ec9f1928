import { ABSENT_LABEL, OTHER_LABEL, type CallRecord } from '../record/call-record.js';
import { MAX_AUDIO_SECONDS, MAX_COST_USD, MAX_DURATION_MS, MAX_TOKENS, validAmount } from '../record/normalize.js';

/**
 * The fields of one record that the report reads. Numbers passed the same
 * validation as the metrics (finite, not negative, within a bound for one
 * call), so report totals and metric counters agree on the same records.
 * Group names keep the raw string, because report rows, unlike metric labels,
 * may hold any value.
 */
export interface ReportInput {
  tsMs: number | undefined;
  tier: string;
  pipeline: string;
  backend: string;
  model: string;
  hasModel: boolean;
  status: string;
  installId: string | undefined;
  licenseFingerprint: string | undefined;
  jobId: string | undefined;
  costUsd: number | undefined;
  durationMs: number | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  thinkingTokens: number | undefined;
  audioSeconds: number | undefined;
  errorText: string | undefined;
  attempts: number | undefined;
}

/**
 * Reads one record for the report; returns undefined when it is not a JSON
 * object. Each number gets the checks and bounds of normalizeCallRecord, but
 * only the fields a report needs are read. Normalizing the whole record (label
 * sets, the error class by regular expressions, the list of dropped values)
 * took about a tenth of a report's time.
 */
export function readReportInput(record: CallRecord): ReportInput | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;

  return {
    // A record without a time has no place in time-based rows; it never gets "now".
    tsMs: validAmount(record.ts, Number.MAX_SAFE_INTEGER),
    tier: groupName(record.tier),
    pipeline: groupName(record.pipeline),
    backend: groupName(record.backend),
    model: groupName(record.model),
    hasModel: typeof record.model === 'string' && record.model !== '',
    status: groupName(record.status),
    installId: optionalString(record.install_id),
    licenseFingerprint: optionalString(record.license_fingerprint),
    jobId: optionalString(record.job_id),
    costUsd: validAmount(record.cost_usd, MAX_COST_USD),
    durationMs: validAmount(record.duration_ms, MAX_DURATION_MS),
    inputTokens: validAmount(record.input_tokens, MAX_TOKENS),
    outputTokens: validAmount(record.output_tokens, MAX_TOKENS),
    thinkingTokens: validAmount(record.thinking_tokens, MAX_TOKENS),
    audioSeconds: validAmount(record.audio_seconds, MAX_AUDIO_SECONDS),
    errorText: typeof record.error === 'string' && record.error !== '' ? record.error : undefined,
    attempts: typeof record.attempts === 'number' && Number.isFinite(record.attempts) ? record.attempts : undefined,
  };
}

/** Returns the user a record counts for: the install for core, the license (else the install) for paid tiers. */
export function userIdOf(input: ReportInput): string | undefined {
  const isPaid = input.tier === 'pro' || input.tier === 'max';
  return isPaid ? (input.licenseFingerprint ?? input.installId) : input.installId;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function groupName(value: unknown): string {
  if (value === undefined || value === null || value === '') return ABSENT_LABEL;
  return typeof value === 'string' ? value : OTHER_LABEL;
}

import { ABSENT_LABEL, OTHER_LABEL, type CallRecord } from '../record/call-record.js';
import { normalizeCallRecord } from '../record/normalize.js';

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

/** Reads one record for the report; returns undefined when it is not a JSON object. */
export function readReportInput(record: CallRecord): ReportInput | undefined {
  // The clock only fills a missing `ts`, which is cleared again below: a record
  // without a time has no place in time-based rows, and must not get "now".
  const normalized = normalizeCallRecord(record, 0);
  if (!normalized.ok) return undefined;
  const { call } = normalized;

  return {
    tsMs: record.ts === undefined ? undefined : call.tsMs,
    tier: groupName(record.tier),
    pipeline: groupName(record.pipeline),
    backend: groupName(record.backend),
    model: groupName(record.model),
    hasModel: call.model !== undefined && call.model !== '',
    status: groupName(record.status),
    installId: call.installId,
    licenseFingerprint: call.licenseFingerprint,
    jobId: typeof record.job_id === 'string' && record.job_id !== '' ? record.job_id : undefined,
    costUsd: call.costUsd,
    // durationSeconds is set only when `duration_ms` passed validation; the raw
    // value avoids the rounding of a divide-then-multiply round trip.
    durationMs: call.durationSeconds === undefined ? undefined : record.duration_ms,
    inputTokens: call.inputTokens,
    outputTokens: call.outputTokens,
    thinkingTokens: call.thinkingTokens,
    audioSeconds: call.audioSeconds,
    errorText: typeof record.error === 'string' && record.error !== '' ? record.error : undefined,
    attempts: typeof record.attempts === 'number' && Number.isFinite(record.attempts) ? record.attempts : undefined,
  };
}

/** Returns the user a record counts for: the install for core, the license (else the install) for paid tiers. */
export function userIdOf(input: ReportInput): string | undefined {
  const isPaid = input.tier === 'pro' || input.tier === 'max';
  return isPaid ? (input.licenseFingerprint ?? input.installId) : input.installId;
}

function groupName(value: unknown): string {
  if (value === undefined || value === null || value === '') return ABSENT_LABEL;
  return typeof value === 'string' ? value : OTHER_LABEL;
}

/**
 * A relay call as the relay reports it. Every field is optional because the
 * original audit log never required any; unknown extra fields are kept in the
 * log untouched.
 */
export interface CallRecord {
  /** Milliseconds since the Unix epoch; set on append when absent. */
  ts?: number;
  install_id?: string;
  /** Absent on records written before licenses existed; paid-tier views fall back to `install_id`. */
  license_fingerprint?: string | null;
  tier?: string;
  pipeline?: string;
  backend?: string;
  model?: string;
  status?: string;
  credit_charged?: number;
  duration_ms?: number;
  input_tokens?: number;
  output_tokens?: number;
  thinking_tokens?: number;
  cost_usd?: number;
  audio_seconds?: number;
  job_id?: string;
  error?: string;
  attempts?: number;
  [extraField: string]: unknown;
}

export const TIERS = ['core', 'pro', 'max'] as const;
export const PIPELINES = ['transcribe', 'analyze'] as const;
export const BACKENDS = ['gemini', 'hardware'] as const;
export const STATUSES = ['success', 'error', 'refused', 'partial'] as const;
export const TOKEN_TYPES = ['input', 'output', 'thinking'] as const;

export type Tier = (typeof TIERS)[number];
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Label value for a field that is absent from the record. */
export const ABSENT_LABEL = 'unknown';

/** Label value for a field whose value is outside the known set. */
export const OTHER_LABEL = 'other';

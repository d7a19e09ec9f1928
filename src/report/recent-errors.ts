import { errorSignature } from '../record/error-signature.js';
import type { ReportInput } from './report-input.js';
import type { ErrorRow } from './report-types.js';

/** Characters of a raw error text kept in an error row. */
export const MAX_ERROR_TEXT_LENGTH = 280;

interface Candidate {
  input: ReportInput;
  /** Arrival order, so equal times keep the later record as the newer one. */
  sequence: number;
}

/**
 * The newest `limit` records that carry an error text. Records arrive in file
 * order, which is not strictly time order, so candidates collect up to twice
 * the limit and are then cut back: memory stays bounded by the limit.
 */
export class RecentErrors {
  private candidates: Candidate[] = [];
  private sequence = 0;

  constructor(private readonly limit: number) {}

  add(input: ReportInput): void {
    if (input.errorText === undefined || this.limit === 0) return;
    this.sequence += 1;
    this.candidates.push({ input, sequence: this.sequence });
    if (this.candidates.length >= this.limit * 2) this.trim();
  }

  toRows(): ErrorRow[] {
    this.trim();
    return this.candidates.map(({ input }) => toErrorRow(input));
  }

  private trim(): void {
    this.candidates.sort(newestFirst);
    this.candidates.length = Math.min(this.candidates.length, this.limit);
  }
}

function newestFirst(a: Candidate, b: Candidate): number {
  const aMs = a.input.tsMs ?? Number.NEGATIVE_INFINITY;
  const bMs = b.input.tsMs ?? Number.NEGATIVE_INFINITY;
  if (aMs !== bMs) return bMs - aMs;
  return b.sequence - a.sequence;
}

function toErrorRow(input: ReportInput): ErrorRow {
  const errorText = input.errorText ?? '';
  return {
    ts: input.tsMs ?? null,
    install_id: input.installId ?? null,
    tier: input.tier,
    pipeline: input.pipeline,
    backend: input.backend,
    model: input.hasModel ? input.model : null,
    duration_ms: input.durationMs ?? null,
    error: errorText.slice(0, MAX_ERROR_TEXT_LENGTH),
    attempts: input.attempts ?? null,
    signature: errorSignature(errorText),
  };
}

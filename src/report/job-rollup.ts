import { compareNames } from './call-totals.js';
import type { ReportInput } from './report-input.js';
import type { SummaryRow, SummaryStatus } from './report-types.js';
import { roundMs, roundUsd } from './rounding.js';

/** Returns one shared copy of a string, so that many rollups do not each keep their own. */
export type InternString = (value: string) => string;

/**
 * One summary (user job): the calls that share a job id, rolled up as they
 * arrive. Start and completion are a running minimum and maximum. A report
 * keeps one rollup per job, the largest part of its memory, so the fields are
 * flat and every string is interned.
 */
export class JobRollup {
  installId: string | undefined;
  tier: string;
  startedMs: number | undefined;
  completedMs: number | undefined;
  transcribeBackend: string | undefined;
  transcribeModel: string | undefined;
  transcribeTsMs = Number.NEGATIVE_INFINITY;
  analyzeBackend: string | undefined;
  analyzeModel: string | undefined;
  analyzeTsMs = Number.NEGATIVE_INFINITY;
  costUsd = 0;
  durationMs = 0;
  calls = 0;
  succeeded = 0;
  failed = 0;

  constructor(
    readonly jobId: string,
    first: ReportInput,
    intern: InternString,
  ) {
    this.installId = first.installId === undefined ? undefined : intern(first.installId);
    this.tier = intern(first.tier);
  }

  // `intern` is passed in, not stored, to keep each rollup 8 bytes smaller.
  add(input: ReportInput, intern: InternString): void {
    this.calls += 1;
    if (input.costUsd !== undefined) this.costUsd += input.costUsd;
    if (input.durationMs !== undefined) this.durationMs += input.durationMs;
    if (input.status === 'success') this.succeeded += 1;
    // A refusal ran nothing, so the job failed as much as on an error.
    if (input.status === 'error' || input.status === 'refused') this.failed += 1;
    if (this.installId === undefined && input.installId !== undefined) this.installId = intern(input.installId);

    const tsMs = input.tsMs ?? Number.NEGATIVE_INFINITY;
    if (input.tsMs !== undefined) this.addTime(input, input.tsMs, intern);
    this.notePipeline(input, tsMs, intern);
  }

  get status(): SummaryStatus {
    if (this.failed > 0) return 'error';
    return this.succeeded === this.calls ? 'success' : 'partial';
  }

  toRow(): SummaryRow {
    return {
      job_id: this.jobId,
      install_id: this.installId ?? null,
      tier: this.tier,
      started_at: this.startedMs ?? null,
      completed_at: this.completedMs ?? null,
      transcribe_backend: this.transcribeBackend ?? null,
      transcribe_model: this.transcribeModel ?? null,
      analyze_backend: this.analyzeBackend ?? null,
      analyze_model: this.analyzeModel ?? null,
      total_cost_usd: roundUsd(this.costUsd),
      total_duration_ms: roundMs(this.durationMs),
      status: this.status,
      had_transcribe: this.transcribeBackend !== undefined,
      had_analyze: this.analyzeBackend !== undefined,
    };
  }

  private addTime(input: ReportInput, tsMs: number, intern: InternString): void {
    if (this.startedMs === undefined || tsMs < this.startedMs) this.startedMs = tsMs;
    if (this.completedMs === undefined || tsMs >= this.completedMs) {
      this.completedMs = tsMs;
      this.tier = intern(input.tier);
    }
  }

  // A retried pipeline call leaves several records; the newest names the backend and model.
  private notePipeline(input: ReportInput, tsMs: number, intern: InternString): void {
    if (input.pipeline === 'transcribe' && (this.transcribeBackend === undefined || tsMs >= this.transcribeTsMs)) {
      this.transcribeBackend = intern(input.backend);
      this.transcribeModel = intern(input.model);
      this.transcribeTsMs = tsMs;
    }
    if (input.pipeline === 'analyze' && (this.analyzeBackend === undefined || tsMs >= this.analyzeTsMs)) {
      this.analyzeBackend = intern(input.backend);
      this.analyzeModel = intern(input.model);
      this.analyzeTsMs = tsMs;
    }
  }
}

/** Orders summaries newest completion first; summaries without a time go last, then by job id. */
export function byCompletionDescending(a: JobRollup, b: JobRollup): number {
  const aMs = a.completedMs ?? Number.NEGATIVE_INFINITY;
  const bMs = b.completedMs ?? Number.NEGATIVE_INFINITY;
  if (aMs !== bMs) return bMs - aMs;
  return compareNames(a.jobId, b.jobId);
}

import { compareNames } from './call-totals.js';
import type { ReportInput } from './report-input.js';
import type { SummaryRow, SummaryStatus } from './report-types.js';
import { roundMs, roundUsd } from './rounding.js';

interface PipelineCall {
  backend: string;
  model: string;
  tsMs: number;
}

/**
 * One summary (user job): the calls that share a job id, rolled up as they
 * arrive. Start and completion are a running minimum and maximum.
 */
export class JobRollup {
  installId: string | undefined;
  tier: string;
  startedMs: number | undefined;
  completedMs: number | undefined;
  transcribe: PipelineCall | undefined;
  analyze: PipelineCall | undefined;
  costUsd = 0;
  durationMs = 0;
  calls = 0;
  succeeded = 0;
  failed = 0;

  constructor(readonly jobId: string, first: ReportInput) {
    this.installId = first.installId;
    this.tier = first.tier;
  }

  add(input: ReportInput): void {
    this.calls += 1;
    if (input.costUsd !== undefined) this.costUsd += input.costUsd;
    if (input.durationMs !== undefined) this.durationMs += input.durationMs;
    if (input.status === 'success') this.succeeded += 1;
    // A refusal ran nothing, so the job failed as much as on an error.
    if (input.status === 'error' || input.status === 'refused') this.failed += 1;
    this.installId ??= input.installId;

    const tsMs = input.tsMs;
    if (tsMs === undefined) {
      this.notePipeline(input, Number.NEGATIVE_INFINITY);
      return;
    }
    if (this.startedMs === undefined || tsMs < this.startedMs) this.startedMs = tsMs;
    if (this.completedMs === undefined || tsMs >= this.completedMs) {
      this.completedMs = tsMs;
      this.tier = input.tier;
    }
    this.notePipeline(input, tsMs);
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
      transcribe_backend: this.transcribe?.backend ?? null,
      transcribe_model: this.transcribe?.model ?? null,
      analyze_backend: this.analyze?.backend ?? null,
      analyze_model: this.analyze?.model ?? null,
      total_cost_usd: roundUsd(this.costUsd),
      total_duration_ms: roundMs(this.durationMs),
      status: this.status,
      had_transcribe: this.transcribe !== undefined,
      had_analyze: this.analyze !== undefined,
    };
  }

  // A retried pipeline call leaves several records; the newest names the backend and model.
  private notePipeline(input: ReportInput, tsMs: number): void {
    const call = { backend: input.backend, model: input.model, tsMs };
    if (input.pipeline === 'transcribe' && (this.transcribe === undefined || tsMs >= this.transcribe.tsMs)) this.transcribe = call;
    if (input.pipeline === 'analyze' && (this.analyze === undefined || tsMs >= this.analyze.tsMs)) this.analyze = call;
  }
}

/** Orders summaries newest completion first; summaries without a time go last, then by job id. */
export function byCompletionDescending(a: JobRollup, b: JobRollup): number {
  const aMs = a.completedMs ?? Number.NEGATIVE_INFINITY;
  const bMs = b.completedMs ?? Number.NEGATIVE_INFINITY;
  if (aMs !== bMs) return bMs - aMs;
  return compareNames(a.jobId, b.jobId);
}

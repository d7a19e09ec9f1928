import { compareNames } from './call-totals.js';
import { firstInOrder } from './first-in-order.js';
import { JobIdIndex } from './job-id-index.js';
import type { ReportInput } from './report-input.js';
import type { SummaryRow, SummaryStatus } from './report-types.js';
import { roundMs, roundUsd } from './rounding.js';
import { NO_STRING, StringIds } from './string-ids.js';

// Jobs per page. Columns grow a page at a time, so growing never copies what
// is already stored and never keeps two copies of a column at once.
const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

// Jobs remembered by the last lookups. A job's calls sit a few lines apart in
// a log, so most repeat lookups hit here and skip hashing the id.
const RECENT_JOBS = 4;

// A call that errored or was refused: the job failed.
const HAD_FAILURE = 1;
// A call that did not succeed, failed or not (a partial one): the job is at best partial.
const HAD_NON_SUCCESS = 2;

/** The columns of PAGE_SIZE jobs. A missing time is stored as an infinity, which no valid `ts` can be. */
class JobPage {
  readonly startedMs = new Float64Array(PAGE_SIZE).fill(Number.POSITIVE_INFINITY);
  readonly completedMs = new Float64Array(PAGE_SIZE).fill(Number.NEGATIVE_INFINITY);
  readonly transcribeTsMs = new Float64Array(PAGE_SIZE).fill(Number.NEGATIVE_INFINITY);
  readonly analyzeTsMs = new Float64Array(PAGE_SIZE).fill(Number.NEGATIVE_INFINITY);
  readonly costUsd = new Float64Array(PAGE_SIZE);
  readonly durationMs = new Float64Array(PAGE_SIZE);
  /** HAD_FAILURE and HAD_NON_SUCCESS bits: all that the status needs, in one byte instead of three counts. */
  readonly outcomes = new Uint8Array(PAGE_SIZE);
  readonly installId = new Int32Array(PAGE_SIZE).fill(NO_STRING);
  readonly tier = new Int32Array(PAGE_SIZE).fill(NO_STRING);
  readonly transcribeBackend = new Int32Array(PAGE_SIZE).fill(NO_STRING);
  readonly transcribeModel = new Int32Array(PAGE_SIZE).fill(NO_STRING);
  readonly analyzeBackend = new Int32Array(PAGE_SIZE).fill(NO_STRING);
  readonly analyzeModel = new Int32Array(PAGE_SIZE).fill(NO_STRING);
}

/**
 * Every summary (user job): the calls that share a job id, rolled up as they
 * arrive. A report over a month keeps hundreds of thousands of jobs, the
 * largest part of its memory, so a job is a row index into typed-array
 * columns rather than an object, and strings are stored as ids. Start and
 * completion are a running minimum and maximum.
 */
export class JobTable {
  private readonly jobIds = new JobIdIndex();
  private readonly pages: JobPage[] = [];
  private readonly recentIds: string[] = Array.from({ length: RECENT_JOBS }, () => '');
  private readonly recentIndexes = new Int32Array(RECENT_JOBS).fill(-1);
  private recentNext = 0;
  private readonly strings = new StringIds();

  get size(): number {
    return this.jobIds.size;
  }

  /** Adds a call to the job of `jobId` and returns that job's row index, which stays the same for the job. */
  add(jobId: string, input: ReportInput): number {
    const index = this.indexFor(jobId, input);
    const page = this.pages[index >>> PAGE_BITS]!;
    const row = index & PAGE_MASK;

    if (input.costUsd !== undefined) page.costUsd[row]! += input.costUsd;
    if (input.durationMs !== undefined) page.durationMs[row]! += input.durationMs;
    if (input.status !== 'success') page.outcomes[row]! |= HAD_NON_SUCCESS;
    // A refusal ran nothing, so the job failed as much as on an error.
    if (input.status === 'error' || input.status === 'refused') page.outcomes[row]! |= HAD_FAILURE;
    if (page.installId[row] === NO_STRING && input.installId !== undefined) page.installId[row] = this.strings.idOf(input.installId);

    const tsMs = input.tsMs ?? Number.NEGATIVE_INFINITY;
    if (input.tsMs !== undefined) this.addTime(page, row, input, input.tsMs);
    this.notePipeline(page, row, input, tsMs);
    return index;
  }

  toRow(index: number): SummaryRow {
    const page = this.pages[index >>> PAGE_BITS]!;
    const row = index & PAGE_MASK;
    const startedMs = page.startedMs[row]!;
    const completedMs = page.completedMs[row]!;

    return {
      job_id: this.jobIds.idAt(index),
      install_id: this.strings.valueOf(page.installId[row]!),
      tier: this.strings.valueOf(page.tier[row]!)!,
      started_at: Number.isFinite(startedMs) ? startedMs : null,
      completed_at: Number.isFinite(completedMs) ? completedMs : null,
      transcribe_backend: this.strings.valueOf(page.transcribeBackend[row]!),
      transcribe_model: this.strings.valueOf(page.transcribeModel[row]!),
      analyze_backend: this.strings.valueOf(page.analyzeBackend[row]!),
      analyze_model: this.strings.valueOf(page.analyzeModel[row]!),
      total_cost_usd: roundUsd(page.costUsd[row]!),
      total_duration_ms: roundMs(page.durationMs[row]!),
      status: statusOf(page.outcomes[row]!),
      had_transcribe: page.transcribeBackend[row] !== NO_STRING,
      had_analyze: page.analyzeBackend[row] !== NO_STRING,
    };
  }

  /** Row indexes of the `limit` newest jobs by completion; jobs without a time go last, then by job id. */
  newestFirst(limit: number): number[] {
    return firstInOrder(this.size, limit, (a, b) => {
      const aMs = this.completedMsOf(a);
      const bMs = this.completedMsOf(b);
      if (aMs !== bMs) return bMs - aMs;
      return compareNames(this.jobIds.idAt(a), this.jobIds.idAt(b));
    });
  }

  private completedMsOf(index: number): number {
    return this.pages[index >>> PAGE_BITS]!.completedMs[index & PAGE_MASK]!;
  }

  private indexFor(jobId: string, first: ReportInput): number {
    for (let recent = 0; recent < RECENT_JOBS; recent += 1) {
      if (this.recentIds[recent] === jobId && this.recentIndexes[recent] !== -1) return this.recentIndexes[recent]!;
    }

    const sizeBefore = this.jobIds.size;
    const index = this.jobIds.indexOrAdd(jobId);
    this.recentIds[this.recentNext] = jobId;
    this.recentIndexes[this.recentNext] = index;
    this.recentNext = (this.recentNext + 1) % RECENT_JOBS;
    if (index !== sizeBefore) return index;

    if ((index & PAGE_MASK) === 0) this.pages.push(new JobPage());
    this.pages[index >>> PAGE_BITS]!.tier[index & PAGE_MASK] = this.strings.idOf(first.tier);
    return index;
  }

  private addTime(page: JobPage, row: number, input: ReportInput, tsMs: number): void {
    if (tsMs < page.startedMs[row]!) page.startedMs[row] = tsMs;
    if (tsMs >= page.completedMs[row]!) {
      page.completedMs[row] = tsMs;
      page.tier[row] = this.strings.idOf(input.tier);
    }
  }

  // A retried pipeline call leaves several records; the newest names the backend and
  // model. A job's pipeline time starts at minus infinity, so its first call always
  // counts, even one without a time.
  private notePipeline(page: JobPage, row: number, input: ReportInput, tsMs: number): void {
    if (input.pipeline === 'transcribe' && tsMs >= page.transcribeTsMs[row]!) {
      page.transcribeBackend[row] = this.strings.idOf(input.backend);
      page.transcribeModel[row] = this.strings.idOf(input.model);
      page.transcribeTsMs[row] = tsMs;
    }
    if (input.pipeline === 'analyze' && tsMs >= page.analyzeTsMs[row]!) {
      page.analyzeBackend[row] = this.strings.idOf(input.backend);
      page.analyzeModel[row] = this.strings.idOf(input.model);
      page.analyzeTsMs[row] = tsMs;
    }
  }
}

function statusOf(outcomes: number): SummaryStatus {
  if ((outcomes & HAD_FAILURE) !== 0) return 'error';
  return (outcomes & HAD_NON_SUCCESS) === 0 ? 'success' : 'partial';
}

import { CallTotals } from './call-totals.js';
import { NO_OWNER } from './job-owners.js';
import type { ReportInput } from './report-input.js';

/**
 * Totals of one install or one license. The newest record decides the tier
 * snapshot; the newest time is kept as a running maximum, never by spreading
 * a list into Math.max, which throws a RangeError for large groups.
 */
export class CustomerStats {
  readonly totals = new CallTotals();
  /** Distinct jobs of this customer. */
  summaries = 0;
  /** Distinct installs behind a license; unused for an install's own stats. */
  readonly installIds = new Set<string>();
  tierSnapshot: string;
  lastActiveMs: number | undefined;
  // Jobs, by row index, that another customer claimed first. Usually none, so created on first use.
  private sharedJobs: Set<number> | undefined;

  /** `index` identifies the customer among those of its kind in JobOwners. */
  constructor(readonly name: string, readonly index: number, tier: string) {
    this.tierSnapshot = tier;
  }

  add(input: ReportInput, trackInstalls: boolean): void {
    this.totals.add(input);
    if (trackInstalls && input.installId !== undefined) this.installIds.add(input.installId);

    if (input.tsMs === undefined) return;
    if (this.lastActiveMs === undefined || input.tsMs >= this.lastActiveMs) {
      this.lastActiveMs = input.tsMs;
      this.tierSnapshot = input.tier;
    }
  }

  /** Counts a call of the job at `jobIndex`, given the job's owner before this call claimed it (JobOwners.claim). */
  addJob(jobIndex: number, previousOwner: number): void {
    if (previousOwner === NO_OWNER) {
      this.summaries += 1;
      return;
    }
    if (previousOwner === this.index) return;

    this.sharedJobs ??= new Set<number>();
    if (this.sharedJobs.has(jobIndex)) return;
    this.sharedJobs.add(jobIndex);
    this.summaries += 1;
  }
}

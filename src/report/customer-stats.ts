import { CallTotals } from './call-totals.js';
import type { ReportInput } from './report-input.js';

/**
 * Totals of one install or one license. The newest record decides the tier
 * snapshot; the newest time is kept as a running maximum, never by spreading
 * a list into Math.max, which throws a RangeError for large groups.
 */
export class CustomerStats {
  readonly totals = new CallTotals();
  readonly jobIds = new Set<string>();
  /** Distinct installs behind a license; unused for an install's own stats. */
  readonly installIds = new Set<string>();
  tierSnapshot: string;
  lastActiveMs: number | undefined;

  constructor(readonly name: string, tier: string) {
    this.tierSnapshot = tier;
  }

  add(input: ReportInput, trackInstalls: boolean): void {
    this.totals.add(input);
    if (input.jobId !== undefined) this.jobIds.add(input.jobId);
    if (trackInstalls && input.installId !== undefined) this.installIds.add(input.installId);

    if (input.tsMs === undefined) return;
    if (this.lastActiveMs === undefined || input.tsMs >= this.lastActiveMs) {
      this.lastActiveMs = input.tsMs;
      this.tierSnapshot = input.tier;
    }
  }
}

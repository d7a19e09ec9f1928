import type { ReportInput } from './report-input.js';
import { ratioOr, roundMs } from './rounding.js';

/** Running totals of a group of calls: the figures that most report rows share. */
export class CallTotals {
  calls = 0;
  costUsd = 0;
  durationMsSum = 0;
  /** Calls that carried a valid duration: the divisor of the average. */
  durationCount = 0;
  inputTokens = 0;
  outputTokens = 0;
  thinkingTokens = 0;

  add(input: ReportInput): void {
    this.calls += 1;
    if (input.costUsd !== undefined) this.costUsd += input.costUsd;
    if (input.durationMs !== undefined) {
      this.durationMsSum += input.durationMs;
      this.durationCount += 1;
    }
    if (input.inputTokens !== undefined) this.inputTokens += input.inputTokens;
    if (input.outputTokens !== undefined) this.outputTokens += input.outputTokens;
    if (input.thinkingTokens !== undefined) this.thinkingTokens += input.thinkingTokens;
  }

  /** Mean duration over the calls that carried one; 0 when none did. */
  get avgDurationMs(): number {
    return roundMs(ratioOr(this.durationMsSum, this.durationCount, 0));
  }
}

/** Returns the group of `key`, creating it with `create` on first use. */
export function groupFor<K, V>(groups: Map<K, V>, key: K, create: () => V): V {
  let group = groups.get(key);
  if (group === undefined) {
    group = create();
    groups.set(key, group);
  }
  return group;
}

/** Orders groups by cost, then calls, both descending, then by name, so equal figures list in a fixed order. */
export function byCostDescending(a: { name: string; totals: CallTotals }, b: { name: string; totals: CallTotals }): number {
  return b.totals.costUsd - a.totals.costUsd || b.totals.calls - a.totals.calls || compareNames(a.name, b.name);
}

export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

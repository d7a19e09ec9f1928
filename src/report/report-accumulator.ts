import type { CallRecord } from '../record/call-record.js';
import { byCostDescending, CallTotals, compareNames, groupFor } from './call-totals.js';
import { CustomerStats } from './customer-stats.js';
import { JobOwners } from './job-owners.js';
import { JobTable } from './job-table.js';
import { PerfStats } from './perf-stats.js';
import { RecentErrors } from './recent-errors.js';
import { readReportInput, userIdOf, type ReportInput } from './report-input.js';
import type { AggregateResult, SummaryTotals, TierCounts } from './report-types.js';
import { ratioOr, roundMs, roundRate, roundUsd } from './rounding.js';

export interface ReportLimits {
  /** Installs and licenses listed, by cost. Default 20. */
  topCustomers?: number;
  /** Newest error records listed. Default 50. */
  recentErrors?: number;
  /** Summaries listed, newest first. Default all of them. */
  summaries?: number;
}

interface NamedGroup {
  name: string;
  totals: CallTotals;
  users: Set<string>;
}

const TIER_ORDER = ['core', 'pro', 'max'];

/**
 * Folds call records into every report view, one record at a time. Memory
 * grows with the number of groups (tiers, models, installs, licenses, jobs,
 * error signatures), never with the number of records, so the same code serves
 * the streaming report over gigabytes of log and `aggregate` over an array.
 */
export class ReportAccumulator {
  /** Records that were not JSON objects and were left out. */
  skippedRecords = 0;
  /** Provider cost of calls whose backend is `gemini`, for the margin estimate. */
  geminiCostUsd = 0;

  private readonly overall = new CallTotals();
  private readonly statusCounts = { success: 0, error: 0, refused: 0 };
  private readonly activeUsers = { core: new Set<string>(), pro: new Set<string>(), max: new Set<string>() };
  private readonly tiers = new Map<string, NamedGroup>();
  private readonly models = new Map<string, NamedGroup>();
  private readonly pipelines = new Map<string, NamedGroup>();
  private readonly backends = new Map<string, NamedGroup>();
  private readonly installs = new Map<string, CustomerStats>();
  private readonly licenses = new Map<string, CustomerStats>();
  private readonly hours = Array.from({ length: 24 }, () => ({ calls: 0, costUsd: 0 }));
  private readonly jobs = new JobTable();
  private readonly installJobOwners = new JobOwners();
  private readonly licenseJobOwners = new JobOwners();
  // By pipeline, then model: two lookups cost less than building a joined key per record.
  private readonly perf = new Map<string, Map<string, PerfStats>>();
  private readonly recentErrors: RecentErrors;
  private readonly topCustomers: number;
  private readonly summaryLimit: number;

  constructor(limits: ReportLimits = {}) {
    this.topCustomers = limits.topCustomers ?? 20;
    this.recentErrors = new RecentErrors(limits.recentErrors ?? 50);
    this.summaryLimit = limits.summaries ?? Number.POSITIVE_INFINITY;
  }

  add(record: CallRecord): void {
    const input = readReportInput(record);
    if (input === undefined) {
      this.skippedRecords += 1;
      return;
    }

    this.addTotals(input);
    this.addToGroup(this.tiers, input.tier, input, userIdOf(input));
    this.addToGroup(this.models, input.model, input, undefined);
    this.addToGroup(this.pipelines, input.pipeline, input, undefined);
    this.addToGroup(this.backends, input.backend, input, undefined);
    const jobIndex = input.jobId === undefined ? -1 : this.jobs.add(input.jobId, input);
    this.addCustomer(input, jobIndex);
    this.addHour(input);
    this.addPerf(input);
    this.recentErrors.add(input);
  }

  /** Number of distinct job ids seen, including those that `summaries` leaves out of the list. */
  get summaryCount(): number {
    return this.jobs.size;
  }

  /** Builds every view from the totals so far; the accumulator can keep taking records afterwards. */
  result(): AggregateResult {
    const models = [...this.models.values()].sort(byCostDescending);

    return {
      summary: this.summary(),
      by_tier: [...this.tiers.values()].sort(byTierOrder).map((group) => ({
        tier: group.name,
        calls: group.totals.calls,
        cost_usd: roundUsd(group.totals.costUsd),
        avg_duration_ms: group.totals.avgDurationMs,
        unique_installs: group.users.size,
      })),
      by_model: models.map((group) => ({
        model: group.name,
        calls: group.totals.calls,
        cost_usd: roundUsd(group.totals.costUsd),
        input_tokens: group.totals.inputTokens,
        output_tokens: group.totals.outputTokens,
        thinking_tokens: group.totals.thinkingTokens,
        avg_duration_ms: group.totals.avgDurationMs,
        avg_cost_usd: roundUsd(group.totals.costUsd / group.totals.calls),
      })),
      by_pipeline: this.simpleRows(this.pipelines).map(({ name, ...row }) => ({ pipeline: name, ...row })),
      by_backend: this.simpleRows(this.backends).map(({ name, ...row }) => ({ backend: name, ...row })),
      by_install: this.topOf(this.installs).map((stats) => ({
        install_id: stats.name,
        tier_snapshot: stats.tierSnapshot,
        calls: stats.totals.calls,
        cost_usd: roundUsd(stats.totals.costUsd),
        summaries: stats.summaries,
        avg_duration_ms: stats.totals.avgDurationMs,
        last_active_at: stats.lastActiveMs ?? null,
      })),
      by_license: this.topOf(this.licenses).map((stats) => ({
        license_fingerprint: stats.name,
        tier_snapshot: stats.tierSnapshot,
        calls: stats.totals.calls,
        cost_usd: roundUsd(stats.totals.costUsd),
        summaries: stats.summaries,
        unique_installs: stats.installIds.size,
        avg_duration_ms: stats.totals.avgDurationMs,
        last_active_at: stats.lastActiveMs ?? null,
      })),
      by_hour_utc: this.hours.map((hour, index) => ({ hour_utc: index, calls: hour.calls, cost_usd: roundUsd(hour.costUsd) })),
      cost_vs_speed: models
        .map((group) => ({
          model: group.name,
          avg_cost_usd: roundUsd(group.totals.costUsd / group.totals.calls),
          avg_duration_ms: group.totals.avgDurationMs,
          calls: group.totals.calls,
        }))
        .sort((a, b) => a.avg_duration_ms - b.avg_duration_ms || compareNames(a.model, b.model)),
      by_summary: this.summaryRows(),
      errors: this.recentErrors.toRows(),
      perf_by_model: [...this.perf.values()]
        .flatMap((byModel) => [...byModel.values()])
        .sort((a, b) => compareNames(a.pipeline, b.pipeline) || b.calls - a.calls || compareNames(a.model, b.model))
        .map((stats) => stats.toRow()),
    };
  }

  private addTotals(input: ReportInput): void {
    this.overall.add(input);
    if (input.status === 'success') this.statusCounts.success += 1;
    else if (input.status === 'error') this.statusCounts.error += 1;
    else if (input.status === 'refused') this.statusCounts.refused += 1;
    if (input.backend === 'gemini' && input.costUsd !== undefined) this.geminiCostUsd += input.costUsd;

    // A record without a tier predates tiers, when every user was on core.
    const tier = input.tier === 'unknown' ? 'core' : input.tier;
    if (tier !== 'core' && tier !== 'pro' && tier !== 'max') return;
    const userId = tier === 'core' ? input.installId : userIdOf(input);
    if (userId !== undefined) this.activeUsers[tier].add(userId);
  }

  private addToGroup(groups: Map<string, NamedGroup>, name: string, input: ReportInput, userId: string | undefined): void {
    const group = groupFor(groups, name, () => ({ name, totals: new CallTotals(), users: new Set<string>() }));
    group.totals.add(input);
    if (userId !== undefined) group.users.add(userId);
  }

  // `jobIndex` is the record's row in the job table, or -1 for a record without a job id.
  private addCustomer(input: ReportInput, jobIndex: number): void {
    if (input.installId !== undefined) {
      const installId = input.installId;
      const stats = groupFor(this.installs, installId, () => new CustomerStats(installId, this.installs.size, input.tier));
      stats.add(input, false);
      if (jobIndex !== -1) stats.addJob(jobIndex, this.installJobOwners.claim(jobIndex, stats.index));
    }
    if (input.licenseFingerprint !== undefined) {
      const fingerprint = input.licenseFingerprint;
      const stats = groupFor(this.licenses, fingerprint, () => new CustomerStats(fingerprint, this.licenses.size, input.tier));
      stats.add(input, true);
      if (jobIndex !== -1) stats.addJob(jobIndex, this.licenseJobOwners.claim(jobIndex, stats.index));
    }
  }

  private addHour(input: ReportInput): void {
    // A record without a time belongs to no hour; the original put it in a `NaN` row.
    if (input.tsMs === undefined) return;
    // A time past what a Date can hold names no hour either; reading one used to throw.
    if (input.tsMs > MAX_DATE_MS) return;
    const hour = this.hours[hourOfDayUtc(input.tsMs)]!;
    hour.calls += 1;
    if (input.costUsd !== undefined) hour.costUsd += input.costUsd;
  }

  private addPerf(input: ReportInput): void {
    // A refusal without a model never reached a backend, so it shows nothing about a model's speed.
    if (input.status === 'refused' && !input.hasModel) return;
    const byModel = groupFor(this.perf, input.pipeline, () => new Map<string, PerfStats>());
    groupFor(byModel, input.model, () => new PerfStats(input.pipeline, input.model)).add(input);
  }

  private summary(): SummaryTotals {
    const totals = this.overall;
    const activeInstalls: TierCounts = {
      core: this.activeUsers.core.size,
      pro: this.activeUsers.pro.size,
      max: this.activeUsers.max.size,
    };

    return {
      calls: totals.calls,
      success: this.statusCounts.success,
      errors: this.statusCounts.error,
      refused: this.statusCounts.refused,
      success_rate: roundRate(ratioOr(this.statusCounts.success, totals.calls, 0)),
      total_cost_usd: roundUsd(totals.costUsd),
      total_duration_ms: roundMs(totals.durationMsSum),
      avg_duration_ms: totals.avgDurationMs,
      total_input_tokens: totals.inputTokens,
      total_output_tokens: totals.outputTokens,
      total_thinking_tokens: totals.thinkingTokens,
      total_summaries: this.jobs.size,
      active_installs_by_tier: activeInstalls,
    };
  }

  private simpleRows(groups: Map<string, NamedGroup>): Array<{ name: string; calls: number; cost_usd: number; avg_duration_ms: number }> {
    return [...groups.values()]
      .sort((a, b) => b.totals.calls - a.totals.calls || compareNames(a.name, b.name))
      .map((group) => ({
        name: group.name,
        calls: group.totals.calls,
        cost_usd: roundUsd(group.totals.costUsd),
        avg_duration_ms: group.totals.avgDurationMs,
      }));
  }

  private topOf(groups: Map<string, CustomerStats>): CustomerStats[] {
    return [...groups.values()].sort(byCostDescending).slice(0, this.topCustomers);
  }

  private summaryRows() {
    return this.jobs.newestFirst(this.summaryLimit).map((index) => this.jobs.toRow(index));
  }
}

// The last instant a Date can hold. A valid `ts` may be larger, up to Number.MAX_SAFE_INTEGER.
const MAX_DATE_MS = 8.64e15;
const HOUR_MS = 3600 * 1000;

// A valid `ts` is a count of ms since the epoch, never negative, within Date's range here,
// and that count has no leap seconds, so the hour is plain arithmetic, without a Date per
// record. Flooring a fractional ms first matches Date, which drops the fraction.
function hourOfDayUtc(tsMs: number): number {
  return Math.floor(Math.floor(tsMs) / HOUR_MS) % 24;
}

function byTierOrder(a: NamedGroup, b: NamedGroup): number {
  const aIndex = TIER_ORDER.indexOf(a.name);
  const bIndex = TIER_ORDER.indexOf(b.name);
  if (aIndex !== bIndex) return (aIndex === -1 ? TIER_ORDER.length : aIndex) - (bIndex === -1 ? TIER_ORDER.length : bIndex);
  return compareNames(a.name, b.name);
}

import { listLogFiles } from '../audit/log-files.js';
import { createReadStats, readRecords, type ReadStats } from '../audit/reader.js';
import { ReportAccumulator, type ReportLimits } from './report-accumulator.js';
import type { AggregateResult, RevenueResult } from './report-types.js';
import { computeRevenue } from './revenue.js';

export interface ReportOptions {
  /** Directory that contains the live log and its archives. It is only read, so no lock is taken. */
  dataDir: string;
  /** Start of the range, inclusive, in ms since the epoch. */
  sinceMs: number;
  /** End of the range, inclusive, in ms since the epoch. */
  untilMs: number;
  /** Monthly price per tier in US dollars, for the revenue estimate. */
  tierPricesUsd?: Partial<Record<string, number>>;
  limits?: ReportLimits;
}

/** The report: every view of `aggregate`, plus the range, what was read, and the revenue estimate. */
export interface Report extends AggregateResult {
  /** ISO 8601 bounds; null for an unbounded side. */
  range: { since: string | null; until: string | null };
  source: {
    files: string[];
    lines: number;
    records: number;
    blank_lines: number;
    invalid_lines: number;
    torn_lines: number;
  };
  /** Distinct job ids in the range; `by_summary` lists only the newest of them when limited. */
  summaries_total: number;
  revenue: RevenueResult;
}

/** Limits for reports served to people: the full per-job list of a month would run to megabytes. */
export const DEFAULT_REPORT_LIMITS: Required<ReportLimits> = { topCustomers: 20, recentErrors: 50, summaries: 100 };

/**
 * Builds the report for a time range by streaming the archives and the live
 * log of `dataDir` through one accumulator. Records without a numeric `ts`
 * are left out, because they cannot be placed in the range.
 */
export async function createReport(options: ReportOptions): Promise<Report> {
  const accumulator = new ReportAccumulator(options.limits ?? DEFAULT_REPORT_LIMITS);
  const stats = createReadStats();
  // NOTE: a rotation by the writing process between listing and reading moves
  // the live log to an archive that this listing does not name. Those records
  // are missing from this report only; the next one includes them.
  const files = await listLogFiles(options.dataDir);

  for (const path of files) {
    await addFile(accumulator, path, options, stats);
  }
  return assembleReport(accumulator, options, files, stats);
}

async function addFile(accumulator: ReportAccumulator, path: string, options: ReportOptions, stats: ReadStats): Promise<void> {
  try {
    for await (const chunk of readRecords(path, { sinceMs: options.sinceMs, untilMs: options.untilMs }, stats)) {
      for (const record of chunk.records) accumulator.add(record);
    }
  } catch (error) {
    // A rotation can rename the live log after it was listed. Its records are
    // then in an archive outside this listing, as the NOTE above explains.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function assembleReport(accumulator: ReportAccumulator, options: ReportOptions, files: string[], stats: ReadStats): Report {
  const result = accumulator.result();
  return {
    range: { since: formatBound(options.sinceMs), until: formatBound(options.untilMs) },
    source: {
      files,
      lines: stats.lines,
      records: stats.records,
      blank_lines: stats.blankLines,
      invalid_lines: stats.invalidLines,
      torn_lines: stats.tornLines,
    },
    ...result,
    summaries_total: accumulator.summaryCount,
    revenue: computeRevenue({
      activeInstallsByTier: result.summary.active_installs_by_tier,
      prices: options.tierPricesUsd,
      geminiCostInRange: accumulator.geminiCostUsd,
    }),
  };
}

function formatBound(timeMs: number): string | null {
  const date = new Date(timeMs);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusSink } from '../metrics/prometheus-sink.js';
import { VERSION } from '../version.js';
import { loadCallsInTimeOrder, resolveLogFiles, type TimedCall } from './load-calls.js';
import { OpenMetricsBuffer, type RenderedFamily } from './openmetrics-buffer.js';
import { createBlocksFromOpenMetrics } from './promtool.js';

/** The `job` label of backfilled samples: the job name that the bundled Prometheus configurations use. */
export const BACKFILL_JOB = 'relay-metrics';

export const DEFAULT_BACKFILL_INSTANCE = 'backfill';

export const DEFAULT_BACKFILL_INTERVAL_MS = 5 * 60_000;

// Families that describe the exporter process at the time (its log file, its
// failed writes, its version), which the audit log does not record. Backfill
// leaves them out instead of inventing values.
const PROCESS_STATE_FAMILIES = new Set([
  'relay_audit_append_failures_total',
  'relay_audit_log_size_bytes',
  'relay_audit_rotations_total',
  'relay_audit_bad_lines_total',
  'relay_audit_torn_tails_repaired_total',
  'relay_rejected_records_total',
  'relay_build_info',
]);

const TWO_HOURS_MS = 2 * 3_600_000;

// Scrapes buffered per block file. It bounds memory (series × scrapes lines of
// text) and the size of each temporary file.
const MAX_SCRAPES_PER_BLOCK = 256;

export interface BackfillOptions {
  /** Audit log files or data directories. */
  logPaths: readonly string[];
  /** Directory for the TSDB blocks; must be empty or absent. */
  outDir: string;
  /** Time between samples, as a scrape interval. */
  intervalMs?: number;
  promtoolPath?: string;
  /** The `instance` label of every sample. */
  instance?: string;
  tierPricesUsd?: Partial<Record<string, number>>;
  maxModels?: number;
  /** Directory for the temporary OpenMetrics files; the system's temporary directory by default. */
  tempDir?: string;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  phase: 'reading' | 'writing';
  recordsRead: number;
  scrapesDone: number;
  scrapesTotal: number;
}

export interface BackfillResult {
  files: string[];
  records: number;
  recordsWithoutTimestamp: number;
  /** Blank, torn and non-JSON lines that were skipped. */
  badLines: number;
  firstSampleMs: number;
  lastSampleMs: number;
  scrapes: number;
  samples: number;
  blockFiles: number;
}

/** Raised for input that cannot be backfilled. The message names the input and the change to make. */
export class BackfillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillError';
  }
}

/**
 * Replays audit logs into Prometheus TSDB blocks. The records are applied in
 * timestamp order to a PrometheusSink, the sink's registry is rendered at
 * every interval boundary as a scrape would have seen it, and promtool turns
 * each block's worth of scrapes into a block in `outDir`.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const intervalMs = options.intervalMs ?? DEFAULT_BACKFILL_INTERVAL_MS;
  const report = options.onProgress ?? (() => {});
  await prepareOutDir(options.outDir);

  const files = await resolveLogFiles(options.logPaths);
  let recordsRead = 0;
  const loaded = await loadCallsInTimeOrder(files, (count) => {
    recordsRead += count;
    report({ phase: 'reading', recordsRead, scrapesDone: 0, scrapesTotal: 0 });
  });
  if (loaded.calls.length === 0) {
    throw new BackfillError(`no record with a valid ts in ${files.join(', ')}: nothing to backfill`);
  }

  // The first scrape is the first boundary at or after the first record, and
  // the last one the first boundary at or after the last record, so the
  // final sample includes every record.
  const firstSampleMs = ceilToMultiple(loaded.calls[0]!.call.tsMs, intervalMs);
  const lastSampleMs = ceilToMultiple(loaded.calls.at(-1)!.call.tsMs, intervalMs);
  const scrapesTotal = (lastSampleMs - firstSampleMs) / intervalMs + 1;

  const tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'relay-backfill-'));
  try {
    const written = await writeBlocks(loaded.calls, {
      ...options,
      intervalMs,
      firstSampleMs,
      lastSampleMs,
      tempDir,
      onScrape: (scrapesDone) => report({ phase: 'writing', recordsRead, scrapesDone, scrapesTotal }),
    });

    return {
      files,
      records: loaded.calls.length,
      recordsWithoutTimestamp: loaded.recordsWithoutTimestamp,
      badLines: loaded.stats.blankLines + loaded.stats.invalidLines + loaded.stats.tornLines,
      firstSampleMs,
      lastSampleMs,
      scrapes: scrapesTotal,
      ...written,
    };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

interface WriteBlocksOptions extends BackfillOptions {
  intervalMs: number;
  firstSampleMs: number;
  lastSampleMs: number;
  tempDir: string;
  onScrape: (scrapesDone: number) => void;
}

async function writeBlocks(
  calls: readonly TimedCall[],
  options: WriteBlocksOptions,
): Promise<{ samples: number; blockFiles: number }> {
  let scrapeMs = options.firstSampleMs;
  const sink = new PrometheusSink({
    processMetrics: false,
    version: VERSION,
    maxModels: options.maxModels,
    tierPricesUsd: options.tierPricesUsd,
    // Active users are counted over the 30 days before each scrape, not before today.
    nowMs: () => scrapeMs,
  });
  const buffer = new OpenMetricsBuffer({ job: BACKFILL_JOB, instance: options.instance ?? DEFAULT_BACKFILL_INSTANCE });
  const blockSpanMs = chooseBlockSpan(options.intervalMs);
  const blocks = new BlockPipeline(options, blockSpanMs);

  let nextCall = 0;
  let samples = 0;
  let scrapesDone = 0;
  let bufferedBlockStartMs = floorToMultiple(scrapeMs, blockSpanMs);

  for (; scrapeMs <= options.lastSampleMs; scrapeMs += options.intervalMs) {
    const blockStartMs = floorToMultiple(scrapeMs, blockSpanMs);
    if (blockStartMs !== bufferedBlockStartMs) {
      samples += buffer.samples;
      await blocks.submit(buffer, bufferedBlockStartMs);
      bufferedBlockStartMs = blockStartMs;
    }

    for (; nextCall < calls.length && calls[nextCall]!.call.tsMs <= scrapeMs; nextCall += 1) {
      const { call, dropped } = calls[nextCall]!;
      sink.apply(call, dropped);
      sink.self.recordsAppended.inc();
    }

    buffer.addScrape(await scrapeRecordedFamilies(sink), scrapeMs);
    scrapesDone += 1;
    options.onScrape(scrapesDone);
  }

  samples += buffer.samples;
  await blocks.submit(buffer, bufferedBlockStartMs);
  await blocks.finish();
  return { samples, blockFiles: blocks.submitted };
}

async function scrapeRecordedFamilies(sink: PrometheusSink): Promise<RenderedFamily[]> {
  const families = (await sink.registry.getMetricsAsJSON()) as unknown as RenderedFamily[];
  return families.filter((family) => !PROCESS_STATE_FAMILIES.has(family.name));
}

/**
 * Writes each block's OpenMetrics text to a file and runs promtool on it while
 * the next block is rendered, so both cores work. At most one promtool runs at
 * a time, which bounds its memory to one block.
 */
class BlockPipeline {
  submitted = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: WriteBlocksOptions,
    private readonly blockSpanMs: number,
  ) {}

  async submit(buffer: OpenMetricsBuffer, blockStartMs: number): Promise<void> {
    if (buffer.samples === 0) return;

    const path = join(this.options.tempDir, `block-${blockStartMs}.om`);
    await writeFile(path, buffer.render());
    buffer.clear();
    this.submitted += 1;

    await this.running;
    const run = createBlocksFromOpenMetrics(
      this.options.promtoolPath ?? 'promtool',
      path,
      this.options.outDir,
      this.blockSpanMs,
    ).finally(() => rm(path, { force: true }));
    // The rejection is observed by the next submit or by finish().
    run.catch(() => {});
    this.running = run;
  }

  finish(): Promise<void> {
    return this.running;
  }
}

/**
 * Picks the block span: the longest of promtool's block durations (2h times
 * a power of 3, up to 54h) that holds at most MAX_SCRAPES_PER_BLOCK scrapes,
 * and never less than 2h.
 */
export function chooseBlockSpan(intervalMs: number): number {
  let spanMs = TWO_HOURS_MS;
  while (spanMs * 3 <= 27 * TWO_HOURS_MS && (spanMs * 3) / intervalMs <= MAX_SCRAPES_PER_BLOCK) spanMs *= 3;
  return spanMs;
}

async function prepareOutDir(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const entries = await readdir(outDir);
  if (entries.length > 0) {
    throw new BackfillError(
      `output directory ${outDir} is not empty: pass a new or empty --out, because blocks from two runs would overlap`,
    );
  }
}

function ceilToMultiple(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function floorToMultiple(value: number, step: number): number {
  return Math.floor(value / step) * step;
}

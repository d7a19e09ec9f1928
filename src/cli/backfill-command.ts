import { LogInputError } from '../backfill/load-calls.js';
import {
  backfill,
  BackfillError,
  DEFAULT_BACKFILL_INSTANCE,
  type BackfillOptions,
  type BackfillProgress,
} from '../backfill/backfill.js';
import { PromtoolError } from '../backfill/promtool.js';
import type { Command } from './command.js';
import { parseCommandArgs, parseInteger, parseTierPrices } from './option-values.js';
import { StartupError, UsageError } from './usage-error.js';

const HELP = `Usage: relay-metrics backfill LOG... --out DIR [options]

Turns audit logs into Prometheus TSDB blocks, so dashboards show the history
from before Prometheus scraped the exporter. Each LOG is a log file or a data
directory (its dated archives and live log). Records are applied in timestamp
order, sampled every --interval as a scrape would have seen them, and written
to DIR with promtool. Copy the blocks into Prometheus's data directory.

Options:
  --out DIR             directory for the blocks; must be empty or absent
  --interval DURATION   time between samples, such as 15s, 1m or 5m; from 1s
                        to 1h (default 5m)
  --instance NAME       value of the instance label (default ${DEFAULT_BACKFILL_INSTANCE});
                        the job label is always relay-metrics
  --promtool PATH       promtool executable (default: promtool on PATH)
  --tier-prices LIST    monthly price per tier in US dollars, as for serve,
                        e.g. core=0,pro=12,max=39 (default all 0)
  --max-models N        distinct model label values before "other", as for
                        serve (default 50)
  -h, --help            show this help`;

const MAX_INTERVAL_MS = 3_600_000;

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'turn audit logs into Prometheus TSDB blocks',
  help: HELP,
  async run(args) {
    const options = parseBackfillArgs(args);
    if (options === undefined) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    return runBackfill(options);
  },
};

function parseBackfillArgs(args: string[]): BackfillOptions | undefined {
  const { values, positionals } = parseCommandArgs('backfill', args, BACKFILL_OPTIONS, true);
  if (values.help === true) return undefined;

  if (positionals.length === 0) throw new UsageError('missing LOG: name at least one audit log file or data directory');
  if (values.out === undefined) throw new UsageError('missing --out: name a new or empty directory for the blocks');

  return {
    logPaths: positionals,
    outDir: values.out,
    intervalMs: values.interval === undefined ? undefined : parseInterval(values.interval),
    instance: values.instance,
    promtoolPath: values.promtool,
    tierPricesUsd: values['tier-prices'] === undefined ? undefined : parseTierPrices(values['tier-prices'], '--tier-prices'),
    maxModels: values['max-models'] === undefined ? undefined : parseInteger(values['max-models'], '--max-models', 0, 10_000),
  };
}

const BACKFILL_OPTIONS = {
  out: { type: 'string' },
  interval: { type: 'string' },
  instance: { type: 'string' },
  promtool: { type: 'string' },
  'tier-prices': { type: 'string' },
  'max-models': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DURATION_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration such as `30s`, `5m` or `1h` into milliseconds. */
export function parseInterval(value: string): number {
  const match = /^(\d+)([smh])$/.exec(value.trim());
  const intervalMs = match === null ? Number.NaN : Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1_000 || intervalMs > MAX_INTERVAL_MS) {
    throw new UsageError(`--interval must be a duration from 1s to 1h such as 15s, 1m or 5m, got ${JSON.stringify(value)}`);
  }
  return intervalMs;
}

async function runBackfill(options: BackfillOptions): Promise<number> {
  const progress = createProgressLine(process.stderr);

  try {
    const result = await backfill({ ...options, onProgress: progress.update });
    progress.done();
    const summary = {
      outDir: options.outDir,
      files: result.files.length,
      records: result.records,
      recordsWithoutTimestamp: result.recordsWithoutTimestamp,
      badLines: result.badLines,
      from: new Date(result.firstSampleMs).toISOString(),
      to: new Date(result.lastSampleMs).toISOString(),
      scrapes: result.scrapes,
      samples: result.samples,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (error) {
    progress.done();
    if (error instanceof BackfillError || error instanceof LogInputError || error instanceof PromtoolError) {
      throw new StartupError(error.message);
    }
    throw error;
  }
}

// Redraws one status line on a terminal at most five times a second. When
// stderr is a file or a pipe it prints nothing, so logs stay clean.
function createProgressLine(stream: NodeJS.WriteStream): { update: (progress: BackfillProgress) => void; done: () => void } {
  const minRedrawMs = 200;
  let lastDrawMs = 0;
  let drawn = false;

  return {
    update(progress) {
      if (stream.isTTY !== true) return;
      const nowMs = Date.now();
      if (nowMs - lastDrawMs < minRedrawMs) return;
      lastDrawMs = nowMs;

      const text =
        progress.phase === 'reading'
          ? `backfill: read ${progress.recordsRead} records`
          : `backfill: ${progress.scrapesDone}/${progress.scrapesTotal} scrapes (${Math.floor((100 * progress.scrapesDone) / progress.scrapesTotal)}%)`;
      stream.write(`\r${text}\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}

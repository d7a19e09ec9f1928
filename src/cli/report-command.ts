import { stat } from 'node:fs/promises';
import { listLogFiles } from '../audit/log-files.js';
import { createReport } from '../report/stream-report.js';
import { parseTimeRange, TimeBoundError } from '../report/time-range.js';
import type { Command } from './command.js';
import { flagOrEnv, parseCommandArgs, parseTierPrices } from './option-values.js';
import { formatReportTables } from './report-tables.js';
import { StartupError, UsageError } from './usage-error.js';

const HELP = `Usage: relay-metrics report --data-dir DIR [options]

Reads the live audit log in DIR and its archives and prints the per-install,
per-license and per-job views, the newest errors and the revenue estimate for
a time range. It only reads, so it works beside a running serve.

Options:
  --data-dir DIR       audit log directory                          RELAY_METRICS_DATA_DIR
  --since TIME         start of the range (default 30d)
  --until TIME         end of the range (default now)
  --tier-prices LIST   monthly price per tier in US dollars,        RELAY_METRICS_TIER_PRICES
                       e.g. core=0,pro=12,max=39 (default all 0)
  --json               print JSON; the default when stdout is not a terminal
  -h, --help           show this help

TIME is an ISO 8601 time (2026-12-01, 2026-12-01T08:00:00Z; UTC when no
offset is given), a time relative to now (30m, 12h, 7d, 2w), or "now".`;

interface ReportConfig {
  dataDir: string;
  sinceMs: number;
  untilMs: number;
  tierPricesUsd: Record<string, number> | undefined;
  json: boolean;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'print per-install, per-license and per-job views of the audit log',
  help: HELP,
  async run(args) {
    const config = parseReportArgs(args);
    if (config === undefined) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }

    await requireDirectory(config.dataDir);
    await requireLogFiles(config.dataDir);
    const report = await createReport(config);
    // A reader that stops early (`| head`) closes the pipe; that is not a failure of the report.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTables(report));
    return 0;
  },
};

function parseReportArgs(args: string[]): ReportConfig | undefined {
  const { values } = parseCommandArgs('report', args, REPORT_OPTIONS, false);
  if (values.help === true) return undefined;

  const dataDir = flagOrEnv(values['data-dir'], 'RELAY_METRICS_DATA_DIR');
  if (dataDir === undefined || dataDir.trim() === '') throw new UsageError('missing --data-dir: name the directory that contains the audit log');

  const tierPrices = flagOrEnv(values['tier-prices'], 'RELAY_METRICS_TIER_PRICES');
  let range;
  try {
    range = parseTimeRange(values.since, values.until, Date.now(), { since: '--since', until: '--until' });
  } catch (error) {
    if (error instanceof TimeBoundError || error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }

  return {
    dataDir,
    ...range,
    tierPricesUsd: tierPrices === undefined ? undefined : parseTierPrices(tierPrices, '--tier-prices'),
    json: values.json === true || process.stdout.isTTY !== true,
  };
}

const REPORT_OPTIONS = {
  'data-dir': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'tier-prices': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function requireDirectory(dataDir: string): Promise<void> {
  try {
    if ((await stat(dataDir)).isDirectory()) return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(`cannot read data directory ${dataDir} (${code}): pass the --data-dir that serve writes to`);
  }
  throw new StartupError(`${dataDir} is not a directory: pass the --data-dir that serve writes to`);
}

// A directory named like a log file would fail the streaming read with a bare
// EISDIR, so it is named here first.
async function requireLogFiles(dataDir: string): Promise<void> {
  for (const path of await listLogFiles(dataDir)) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory() === true) {
      throw new StartupError(`${path} is a directory where an audit log file belongs: move it out of ${dataDir}`);
    }
  }
}

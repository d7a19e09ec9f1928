/**
 * Drop-in replacement for the original audit-log module, with the same
 * function names, arguments and result shapes. This project's audit log
 * (group commit, rotation while running, maintenance that never races
 * appends) and its metrics are behind it, so every `recordCall` also updates
 * `/metrics`. A relay switches by changing its import to
 * `relay-metrics/compat`; docs/compat.md lists where a number differs from
 * the original and why.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import { listLogFiles } from '../audit/log-files.js';
import { readRecords } from '../audit/reader.js';
import type { Logger } from '../logger.js';
import type { CallRecord } from '../record/call-record.js';
import { createRelayMetrics, type RelayMetrics, type RelayMetricsOptions } from '../relay.js';
import { ReportAccumulator } from './report-accumulator.js';
import type { AggregateResult } from './report-types.js';

export { computeRevenue, type RevenueInput } from './revenue.js';
export type { AggregateResult, RevenueResult } from './report-types.js';

/** Data directory of the original module when `initAuditLog` gets none. */
export const DEFAULT_DATA_DIR = '/data';

const DEFAULT_READ_WINDOW_MS = 30 * 24 * 3600 * 1000;

export interface InitAuditLogOptions extends Partial<Omit<RelayMetricsOptions, 'logger'>> {
  /** Directory of the audit log. Default `/data`, as in the original. */
  dataDir?: string;
  /** Logger for the module's messages; default a pino logger on stdout, because the original logged too. */
  logger?: Logger;
}

interface OpenLog {
  dataDir: string;
  relay: RelayMetrics;
}

let current: OpenLog | undefined;
// The options of the last initAuditLog call, used again by a later call when
// that one failed (the directory was locked, say).
let requested: InitAuditLogOptions = {};
// Opening and closing run one at a time, so two concurrent first calls open
// the directory once instead of tripping over its lock.
let lifecycle: Promise<void> = Promise.resolve();
let logger: Logger = pino({ base: { service: 'relay-metrics' } });

/**
 * Opens the audit log of `dataDir` and its metrics. Calling it again with the
 * same directory does nothing; with another directory, it closes the first.
 */
export function initAuditLog(options: InitAuditLogOptions = {}): Promise<void> {
  return serialized(() => openDirectory(options));
}

async function openDirectory(options: InitAuditLogOptions): Promise<void> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  requested = options;
  if (options.logger !== undefined) logger = options.logger;
  if (current?.dataDir === dataDir) return;
  await closeCurrent();

  const relay = await createRelayMetrics({ ...options, dataDir, logger });
  current = { dataDir, relay };
  logger.info({ path: relay.auditLog.livePath }, 'audit log open');
}

async function closeCurrent(): Promise<void> {
  const open = current;
  current = undefined;
  if (open !== undefined) await open.relay.close();
}

function serialized<T>(work: () => Promise<T>): Promise<T> {
  const run = lifecycle.then(work);
  lifecycle = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/**
 * Appends `{ ts: Date.now(), ...entry }` to the log and applies it to the
 * metrics. Never rejects: a failed append is logged, because losing an audit
 * line must not fail the relay call that caused it. Opens the log first
 * when it is not open: the directory of the last `initAuditLog` call, else
 * the default.
 */
export async function recordCall(entry: object): Promise<void> {
  try {
    const { relay } = await openLog();
    const result = await relay.recordCall(entry);
    if (!result.ok) logger.error({ code: result.code, reason: result.message }, 'audit record not written');
  } catch (error) {
    logger.error({ err: error }, 'audit record not written');
  }
}

/** Empties the live log; archives are kept. Calls recorded meanwhile are kept too. */
export async function clearAllAuditEntries(): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const { relay } = await openLog();
    await relay.auditLog.clearAll();
    return { ok: true };
  } catch (error) {
    logger.error({ err: error }, 'clearing the audit log failed');
    return { ok: false, error: (error as Error).message };
  }
}

/**
 * Removes the live log's lines whose `job_id` is in `jobIds`; lines that are
 * not JSON are kept. Returns `{ deleted: 0 }` for a non-array or an empty list.
 */
export async function deleteAuditRowsByJobIds(jobIds: unknown): Promise<{ deleted: number }> {
  if (!Array.isArray(jobIds) || jobIds.length === 0) return { deleted: 0 };
  const wanted = jobIds.filter((id): id is string => typeof id === 'string' && id !== '');
  if (wanted.length === 0) return { deleted: 0 };

  const { relay } = await openLog();
  return relay.auditLog.deleteByJobIds(wanted);
}

export interface ReadEntriesOptions {
  /** Default 30 days ago. */
  sinceMs?: number;
  /** Default no upper bound. */
  untilMs?: number;
}

/**
 * Returns the records with a numeric `ts` in [sinceMs, untilMs], newest first,
 * from the live log and its archives; bad lines are skipped. A missing data
 * directory gives `[]`. The original read only the live log, which was enough
 * while it rotated only at start-up.
 */
export async function readEntries(options: ReadEntriesOptions = {}): Promise<CallRecord[]> {
  const sinceMs = options.sinceMs ?? Date.now() - DEFAULT_READ_WINDOW_MS;
  const untilMs = options.untilMs ?? Number.POSITIVE_INFINITY;
  await lifecycle;
  const dataDir = current?.dataDir ?? requested.dataDir ?? DEFAULT_DATA_DIR;

  let files: string[];
  try {
    files = await listLogFiles(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }

  const entries: CallRecord[] = [];
  for (const path of files) {
    for await (const chunk of readRecords(path, { sinceMs, untilMs })) {
      for (const record of chunk.records) entries.push(record);
    }
  }
  // Files hold records in write order. Reversing first, then a stable sort,
  // lists records of equal time newest-written first.
  entries.reverse();
  return entries.sort((a, b) => (b.ts as number) - (a.ts as number));
}

/**
 * Computes every dashboard view from `entries`, with the same accumulator that
 * the streaming report uses. Values that are not objects are skipped.
 */
export function aggregate(entries: readonly unknown[]): AggregateResult {
  const accumulator = new ReportAccumulator({ topCustomers: 20, recentErrors: 50 });
  if (Array.isArray(entries)) {
    for (const entry of entries) accumulator.add(entry as CallRecord);
  }
  return accumulator.result();
}

/** Returns the recorder behind this module, for its registry; undefined until the log is open. */
export function getRelayMetrics(): RelayMetrics | undefined {
  return current?.relay;
}

/** Serves `/metrics` for the open log; responds with 503 until `initAuditLog` has finished. */
export async function metricsHandler(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (current === undefined) {
    response.statusCode = 503;
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.end('audit log not initialized: call initAuditLog() first\n');
    return;
  }
  await current.relay.metricsHandler(request, response);
}

/** Flushes queued appends and releases the data directory; the next call opens it again. */
export function closeAuditLog(): Promise<void> {
  return serialized(closeCurrent);
}

async function openLog(): Promise<OpenLog> {
  if (current !== undefined) return current;
  return serialized(async () => {
    if (current === undefined) await openDirectory(requested);
    return current!;
  });
}

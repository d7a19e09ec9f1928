import type { CallRecord } from '../record/call-record.js';
import { readLineChunks } from './line-chunks.js';

/** Counts of what a read saw, including the lines it skipped. */
export interface ReadStats {
  lines: number;
  records: number;
  blankLines: number;
  /** Lines that are not JSON, or JSON that is not an object. */
  invalidLines: number;
  /** A final line without its newline: cut short by a crash, or still being written. */
  tornLines: number;
}

export interface ReadRecordsOptions {
  /** Keep records with a numeric `ts` at or after this instant (ms since the epoch). */
  sinceMs?: number;
  /** Keep records with a numeric `ts` at or before this instant (ms since the epoch). */
  untilMs?: number;
  startOffset?: number;
  endOffset?: number;
}

/** A batch of parsed records and the byte offset just after the last line it covers. */
export interface RecordChunk {
  records: CallRecord[];
  endOffset: number;
}

export function createReadStats(): ReadStats {
  return { lines: 0, records: 0, blankLines: 0, invalidLines: 0, tornLines: 0 };
}

/**
 * Streams the records of one log file in batches, skipping and counting blank,
 * torn and non-JSON lines. With a time range, records whose `ts` is missing or
 * not a number are skipped too, because they cannot be placed in the range.
 */
export async function* readRecords(
  path: string,
  options: ReadRecordsOptions = {},
  stats: ReadStats = createReadStats(),
): AsyncGenerator<RecordChunk, void, undefined> {
  const hasRange = options.sinceMs !== undefined || options.untilMs !== undefined;
  const sinceMs = options.sinceMs ?? Number.NEGATIVE_INFINITY;
  const untilMs = options.untilMs ?? Number.POSITIVE_INFINITY;

  const chunks = readLineChunks(path, { startOffset: options.startOffset, endOffset: options.endOffset });
  let step = await chunks.next();

  while (step.done !== true) {
    const records: CallRecord[] = [];
    for (const line of step.value.lines) {
      const record = parseLine(line, stats);
      if (record === undefined) continue;
      if (hasRange && !isInRange(record.ts, sinceMs, untilMs)) continue;
      records.push(record);
    }

    stats.records += records.length;
    yield { records, endOffset: step.value.endOffset };
    step = await chunks.next();
  }

  if (step.value.unterminatedBytes > 0) stats.tornLines += 1;
}

/** Parses one log line, counting it in `stats`; returns undefined for a line to skip. */
export function parseLine(line: string, stats: ReadStats): CallRecord | undefined {
  stats.lines += 1;

  if (line.trim() === '') {
    stats.blankLines += 1;
    return undefined;
  }

  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    stats.invalidLines += 1;
    return undefined;
  }

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    stats.invalidLines += 1;
    return undefined;
  }
  return value as CallRecord;
}

function isInRange(ts: unknown, sinceMs: number, untilMs: number): boolean {
  return typeof ts === 'number' && ts >= sinceMs && ts <= untilMs;
}

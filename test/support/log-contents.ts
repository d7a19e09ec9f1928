import { readFile } from 'node:fs/promises';
import { listLogFiles } from '../../src/audit/log-files.js';

/** Reads and parses every line of every log file of `dataDir`: archives oldest first, then the live log. */
export async function readLogRecords(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const records: Array<Record<string, unknown>> = [];
  for (const path of await listLogFiles(dataDir)) {
    const text = await readFile(path, 'utf8');
    if (text === '') continue;
    if (!text.endsWith('\n')) throw new Error(`${path} ends without a newline`);
    for (const line of text.slice(0, -1).split('\n')) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records;
}

/** Sums a numeric field over records, skipping records where it is not a number. */
export function sumField(records: ReadonlyArray<Record<string, unknown>>, field: string): number {
  let sum = 0;
  for (const record of records) {
    const value = record[field];
    if (typeof value === 'number') sum += value;
  }
  return sum;
}

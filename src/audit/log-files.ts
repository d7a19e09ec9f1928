import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the live audit log inside a data directory. */
export const LIVE_LOG_NAME = 'relay-calls.ndjson';

const ARCHIVE_PATTERN = /^relay-calls-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.ndjson$/;

/** Returns the path that the live log rotates to: `relay-calls-YYYY-MM-DD.ndjson`, then `.1`, `.2`, … when taken. */
export async function nextArchivePath(dataDir: string, rotatedAt: Date): Promise<string> {
  const day = rotatedAt.toISOString().slice(0, 10);

  for (let suffix = 0; ; suffix += 1) {
    const name = suffix === 0 ? `relay-calls-${day}.ndjson` : `relay-calls-${day}.${suffix}.ndjson`;
    const path = join(dataDir, name);
    if (!(await exists(path))) return path;
  }
}

/** Lists the archives oldest first, then the live log when it exists: the order in which records were written. */
export async function listLogFiles(dataDir: string): Promise<string[]> {
  const names = await readdir(dataDir);
  const archives = names
    .map((name) => ({ name, match: ARCHIVE_PATTERN.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, day: entry.match![1]!, suffix: Number(entry.match![2] ?? 0) }))
    .sort(compareArchives)
    .map((entry) => join(dataDir, entry.name));

  const livePath = join(dataDir, LIVE_LOG_NAME);
  return (await exists(livePath)) ? [...archives, livePath] : archives;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function compareArchives(a: { day: string; suffix: number }, b: { day: string; suffix: number }): number {
  if (a.day !== b.day) return a.day < b.day ? -1 : 1;
  return a.suffix - b.suffix;
}

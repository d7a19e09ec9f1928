import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE_NAME = 'relay-metrics.lock';

/** The process that owns a data directory, as written in its lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
}

export class DirectoryLockedError extends Error {
  readonly code = 'ERR_DATA_DIR_LOCKED';

  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder === undefined
      ? 'another process (its lock file is unreadable)'
      : `pid ${holder.pid} on host ${holder.hostname}, started ${holder.startedAt}`;
    super(
      `data directory is in use by ${who}: lock file ${lockPath}. ` +
        'Stop that process or choose another data directory; delete the lock file only if that process is gone.',
    );
    this.name = 'DirectoryLockedError';
  }
}

export interface DirectoryLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes the data directory's lock file so that two writers never interleave
 * appends. A lock left by a dead process on this host is taken over. Throws
 * DirectoryLockedError naming the holder otherwise, including when the holder
 * is this very process (a second instance on the same directory).
 */
export async function acquireDirectoryLock(dataDir: string): Promise<DirectoryLock> {
  const lockPath = join(dataDir, LOCK_FILE_NAME);
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };

  if (await tryCreateLockFile(lockPath, holder)) return createLock(lockPath);

  const existing = await readHolder(lockPath);
  if (existing === undefined || !isStale(existing)) throw new DirectoryLockedError(lockPath, existing);

  await unlink(lockPath);
  if (await tryCreateLockFile(lockPath, holder)) return createLock(lockPath);
  throw new DirectoryLockedError(lockPath, await readHolder(lockPath));
}

async function tryCreateLockFile(lockPath: string, holder: LockHolder): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(holder)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readHolder(lockPath: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { pid: parsed.pid, hostname: parsed.hostname, startedAt: String(parsed.startedAt) };
  } catch {
    // An empty or half-written lock file: its writer crashed between create and write, or is writing now.
    return undefined;
  }
}

// NOTE: a lock from another host (a shared volume) is never taken over, and a
// recycled pid on this host looks alive. Both need the lock file removed by hand.
function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return false;
  if (holder.pid === process.pid) return false;

  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return isZombie(holder.pid);
}

// A killed process that its parent has not reaped yet still receives signal 0,
// but it has no open files and never writes again.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    // No /proc (not Linux) or the process just exited: decided by signal 0 alone.
    return false;
  }
}

function createLock(lockPath: string): DirectoryLock {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

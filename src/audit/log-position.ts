import { stat } from 'node:fs/promises';

/**
 * A byte offset in one log file, named by the file's identity (device and
 * inode, as decimal strings because they may exceed 2^53). The identity
 * survives a rename, so a position taken on the live file still finds it after
 * it was rotated to an archive.
 */
export interface LogPosition {
  dev: string;
  ino: string;
  offsetBytes: number;
}

/** Returns the identity of the file at `path`, or undefined when it does not exist. */
export async function fileIdentity(path: string): Promise<{ dev: string; ino: string; sizeBytes: number } | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return { dev: info.dev.toString(), ino: info.ino.toString(), sizeBytes: Number(info.size) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function isSameFile(a: { dev: string; ino: string }, b: { dev: string; ino: string }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

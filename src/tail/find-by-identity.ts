import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Returns the path of the regular file in `directory` with this device and
 * inode, or undefined. A log renamed by rotation keeps its inode, so this
 * finds the archive whatever naming scheme the writer uses.
 */
export async function findFileByIdentity(directory: string, identity: { dev: string; ino: string }): Promise<string | undefined> {
  for (const name of await readdir(directory)) {
    const path = join(directory, name);
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    if (info.dev.toString() === identity.dev && info.ino.toString() === identity.ino) return path;
  }
  return undefined;
}

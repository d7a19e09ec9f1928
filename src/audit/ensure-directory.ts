import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Creates `path` and its missing parents with `mode`. It avoids a plain
 * recursive mkdir on the target, because Node 20's recursive mkdir never
 * returns for a path under /proc, where mkdir fails with ENOENT forever.
 */
export async function ensureDirectory(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { mode });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT') throw error;
  }

  const parent = dirname(path);
  if (parent === path) throw new Error(`cannot create directory ${path}`);
  await ensureDirectory(parent, mode);

  try {
    await mkdir(path, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

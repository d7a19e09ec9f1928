import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readLineChunks } from './line-chunks.js';

let temporaryCounter = 0;

/**
 * Called with the finished temporary file just before it is renamed into
 * place, so a caller can record its identity first. A rejection aborts the
 * rewrite and leaves the source file as it was.
 */
export type BeforeRename = (temporaryPath: string, sizeBytes: number) => Promise<void>;

/**
 * Writes the lines of `sourcePath` that `keepLine` accepts to a temporary file
 * in the same directory, flushes it to disk and renames it over `sourcePath`.
 * A crash at any instant leaves either the old file or the new one whole.
 * Returns the number of lines dropped and the new file's size.
 */
export async function rewriteLogFile(
  sourcePath: string,
  keepLine: (line: string) => boolean,
  beforeRename?: BeforeRename,
): Promise<{ droppedLines: number; sizeBytes: number }> {
  let droppedLines = 0;
  let sizeBytes = 0;

  const temporaryPath = await writeTemporaryFile(sourcePath, async (output) => {
    for await (const chunk of readLineChunks(sourcePath)) {
      const linesToKeep = chunk.lines.filter((line) => keepLine(line));
      droppedLines += chunk.lines.length - linesToKeep.length;
      if (linesToKeep.length === 0) continue;

      const buffer = Buffer.from(`${linesToKeep.join('\n')}\n`);
      await writeAll(output, buffer);
      sizeBytes += buffer.length;
    }
  });

  await renameIntoPlace(temporaryPath, sourcePath, sizeBytes, beforeRename);
  return { droppedLines, sizeBytes };
}

/** Replaces `path` with an empty file through the same temporary-file-and-rename step. */
export async function replaceWithEmptyFile(path: string, beforeRename?: BeforeRename): Promise<void> {
  const temporaryPath = await writeTemporaryFile(path, async () => {});
  await renameIntoPlace(temporaryPath, path, 0, beforeRename);
}

/**
 * Creates `<path>.tmp-<pid>-<n>` with mode 0600, lets `write` fill it, flushes
 * it to disk and returns its path. The file is removed when `write` fails.
 */
export async function writeTemporaryFile(path: string, write: (output: FileHandle) => Promise<void>): Promise<string> {
  const temporaryPath = `${path}.tmp-${process.pid}-${(temporaryCounter += 1)}`;
  const output = await open(temporaryPath, 'wx', 0o600);

  try {
    await write(output);
    await output.sync();
  } catch (error) {
    await output.close();
    await unlink(temporaryPath);
    throw error;
  }

  await output.close();
  return temporaryPath;
}

async function renameIntoPlace(
  temporaryPath: string,
  targetPath: string,
  sizeBytes: number,
  beforeRename: BeforeRename | undefined,
): Promise<void> {
  try {
    await beforeRename?.(temporaryPath, sizeBytes);
  } catch (error) {
    await unlink(temporaryPath);
    throw error;
  }

  await rename(temporaryPath, targetPath);
  await syncDirectory(dirname(targetPath));
}

/**
 * Deletes the temporary files of rewrites of `path` that a crash interrupted.
 * Call it only while holding the directory's lock. Returns how many were removed.
 */
export async function removeStaleRewriteFiles(path: string): Promise<number> {
  const prefix = `${basename(path)}.tmp-`;
  const stale = (await readdir(dirname(path))).filter((name) => name.startsWith(prefix));
  await Promise.all(stale.map((name) => unlink(join(dirname(path), name))));
  return stale.length;
}

/** Writes the whole buffer, looping over short writes. */
export async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset, null);
    offset += bytesWritten;
  }
}

/** Flushes a directory entry change (a rename) to disk, so it survives a power loss. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

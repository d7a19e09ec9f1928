import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileIdentity, isSameFile, type LogPosition } from './log-position.js';
import { listLogFiles } from './log-files.js';
import { syncDirectory, writeTemporaryFile } from './rewrite.js';

/** Name of the metric checkpoint inside a data directory. */
export const CHECKPOINT_NAME = 'relay-metrics.checkpoint.json';

const CHECKPOINT_FORMAT = 1;

/**
 * Saved state plus the log positions it covers: every record before
 * `offsetBytes` in each listed file is already in `state`. The state is opaque
 * here; its owner validates it when loading.
 */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  writtenAt: string;
  positions: LogPosition[];
  state: unknown;
}

/** One stretch of a log file still to replay: from `startOffset` to the end of the file. */
export interface ReplaySegment {
  path: string;
  startOffset: number;
}

/** The segments to replay on start, and the reason for the start-up log line. */
export interface ReplayPlan {
  segments: ReplaySegment[];
  reason: 'live_file_matched' | 'rotated_while_stopped' | 'checkpoint_file_not_found' | 'live_file_shorter_than_checkpoint';
}

/**
 * Writes the checkpoint atomically: to a temporary file that is flushed to
 * disk, then renamed over the old checkpoint, so a crash leaves the old or the
 * new checkpoint whole, never a mix.
 */
export function writeCheckpoint(dataDir: string, positions: readonly LogPosition[], state: unknown): Promise<void> {
  return writeCheckpointFile(join(dataDir, CHECKPOINT_NAME), positions, state);
}

/** Writes a checkpoint to `path`, as `writeCheckpoint` does; the tailer keeps its position file this way. */
export async function writeCheckpointFile(path: string, positions: readonly LogPosition[], state: unknown): Promise<void> {
  const checkpoint: Checkpoint = { format: CHECKPOINT_FORMAT, writtenAt: new Date().toISOString(), positions: [...positions], state };
  const temporaryPath = await writeTemporaryFile(path, (output) => output.writeFile(`${JSON.stringify(checkpoint)}\n`));

  await rename(temporaryPath, path);
  await syncDirectory(dirname(path));
}

/**
 * Deletes temporary checkpoint files that a crash left behind in `dataDir`.
 * Call it only while holding the directory's lock, when no checkpoint is
 * being written. Returns how many were removed.
 */
export async function removeStaleCheckpointFiles(dataDir: string): Promise<number> {
  const prefix = `${CHECKPOINT_NAME}.tmp-`;
  const stale = (await readdir(dataDir)).filter((name) => name.startsWith(prefix));
  await Promise.all(stale.map((name) => unlink(join(dataDir, name))));
  return stale.length;
}

/** Thrown when the checkpoint file exists but cannot be used; the message names the file and the problem. */
export class CheckpointError extends Error {
  readonly code = 'ERR_CHECKPOINT_INVALID';

  constructor(path: string, problem: string) {
    super(`metric checkpoint ${path} is unusable: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** Reads the checkpoint of `dataDir`; undefined when there is none yet. Throws CheckpointError when it is damaged. */
export function readCheckpoint(dataDir: string): Promise<Checkpoint | undefined> {
  return readCheckpointFile(join(dataDir, CHECKPOINT_NAME));
}

/** Reads a checkpoint from `path`; undefined when the file does not exist. */
export async function readCheckpointFile(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }

  let value: Partial<Checkpoint>;
  try {
    value = JSON.parse(text) as Partial<Checkpoint>;
  } catch (error) {
    throw new CheckpointError(path, `not JSON (${(error as Error).message})`);
  }
  if (value.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(path, `format ${JSON.stringify(value.format)} is not ${CHECKPOINT_FORMAT}`);
  }
  if (!Array.isArray(value.positions) || !value.positions.every(isLogPosition)) {
    throw new CheckpointError(path, '"positions" is not a list of {dev, ino, offsetBytes}');
  }
  return value as Checkpoint;
}

function isLogPosition(value: unknown): value is LogPosition {
  const position = value as Partial<LogPosition>;
  return (
    typeof position.dev === 'string' &&
    typeof position.ino === 'string' &&
    Number.isSafeInteger(position.offsetBytes) &&
    position.offsetBytes! >= 0
  );
}

/**
 * Decides which parts of the log files in `dataDir` the checkpoint does not
 * cover yet.
 *
 * - The live file is one of the checkpoint's files: replay it from that offset.
 * - One of them is now an archive, because the live log rotated after the
 *   checkpoint (before a crash, or on open). Replay that archive from its
 *   offset, every later archive whole, then the live file from its start.
 * - None of them exists any more: replay the live file from its start. Records
 *   of a lost file after its checkpoint are then missing from the counters.
 */
export async function planReplay(dataDir: string, livePath: string, positions: readonly LogPosition[]): Promise<ReplayPlan> {
  const live = await fileIdentity(livePath);
  if (live === undefined) return { segments: [], reason: 'live_file_matched' };

  const liveMatch = positions.find((position) => isSameFile(position, live));
  if (liveMatch !== undefined) {
    // A live file shorter than its checkpoint lost acknowledged bytes (edited
    // by hand, or a file system that dropped unsynced writes). Replaying it
    // from 0 would count its records twice, so nothing is replayed.
    if (live.sizeBytes < liveMatch.offsetBytes) return { segments: [], reason: 'live_file_shorter_than_checkpoint' };
    return { segments: [{ path: livePath, startOffset: liveMatch.offsetBytes }], reason: 'live_file_matched' };
  }

  const archives = (await listLogFiles(dataDir)).filter((path) => path !== livePath);
  for (let index = 0; index < archives.length; index += 1) {
    const archive = await fileIdentity(archives[index]!);
    const match = archive === undefined ? undefined : positions.find((position) => isSameFile(position, archive));
    if (match === undefined) continue;

    const segments: ReplaySegment[] = [{ path: archives[index]!, startOffset: match.offsetBytes }];
    for (const later of archives.slice(index + 1)) segments.push({ path: later, startOffset: 0 });
    segments.push({ path: livePath, startOffset: 0 });
    return { segments, reason: 'rotated_while_stopped' };
  }

  return { segments: [{ path: livePath, startOffset: 0 }], reason: 'checkpoint_file_not_found' };
}

import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { readCheckpointFile, writeCheckpointFile } from '../audit/checkpoint.js';
import { readLineChunks } from '../audit/line-chunks.js';
import { fileIdentity, type LogPosition } from '../audit/log-position.js';
import { createReadStats, parseLine } from '../audit/reader.js';
import { silentLogger, type Logger } from '../logger.js';
import { normalizeCallRecord } from '../record/normalize.js';
import type { CallSink } from '../record/sink.js';
import { findFileByIdentity } from './find-by-identity.js';
import { splitRewrittenLines } from './rewritten-lines.js';
import type { StatefulSink } from './stateful-sink.js';

export const DEFAULT_POLL_INTERVAL_MS = 250;
export const DEFAULT_STATE_INTERVAL_MS = 5_000;

/** Callbacks through which the tailer reports to its self-metrics without importing them. */
export interface LogTailerHooks {
  onLines?(lines: number, bytes: number): void;
  onBadLines?(reason: 'blank' | 'invalid', count: number): void;
  /** The followed file was renamed away and a new file took its path. */
  onRotation?(): void;
  /** The followed file shrank below the read position: copy-and-truncate, or cleared in place. */
  onTruncation?(): void;
  /** A new file was renamed over the followed one (a rewrite such as delete by job id). */
  onReplacement?(): void;
  onPosition?(offsetBytes: number): void;
  /** The newest record time seen so far, in ms since the epoch. */
  onRecordTime?(tsMs: number): void;
}

export interface LogTailerOptions {
  /** The log file to follow; it need not exist yet. */
  path: string;
  /** Receives every record. With `statePath`, it must be a StatefulSink so its totals are saved. */
  sink: CallSink | StatefulSink;
  /** Position file: where the tailer saves its position and the sink's totals, written atomically. */
  statePath?: string;
  /** Milliseconds between two `stat` calls on the file. Default 250. */
  pollIntervalMs?: number;
  /** Minimum milliseconds between two saves of the position file while records arrive. Default 5,000. */
  stateIntervalMs?: number;
  /** Use fs.watch on the file's directory to poll sooner after a change. Default true. */
  watch?: boolean;
  hooks?: LogTailerHooks;
  logger?: Logger;
}

interface OpenFile {
  handle: FileHandle;
  dev: string;
  ino: string;
  /** Offset just after the last complete line read. */
  offsetBytes: number;
}

/**
 * Follows an NDJSON call log that another process writes and applies each
 * complete line to a sink once: from the start of the file, then as it grows,
 * across rotation by rename, copy-and-truncate, clearing and rewrites by
 * rename. A final line without its newline waits until it is complete.
 */
export class LogTailer {
  private current: OpenFile | undefined;
  private readonly hooks: LogTailerHooks;
  private readonly logger: Logger;
  private readonly stats = createReadStats();
  private pollChain: Promise<void> = Promise.resolve();
  private pollQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private stateDirty = false;
  private lastStateSaveMs = 0;
  private newestRecordMs = Number.NEGATIVE_INFINITY;
  private stopped = false;

  private constructor(private readonly options: LogTailerOptions) {
    this.hooks = options.hooks ?? {};
    this.logger = options.logger ?? silentLogger;
    if (options.statePath !== undefined && !isStatefulSink(options.sink)) {
      throw new TypeError('statePath needs a sink with exportState and importState, such as PrometheusSink');
    }
  }

  /** Loads the position file, catches up with the file, then follows it until `stop`. */
  static async start(options: LogTailerOptions): Promise<LogTailer> {
    const tailer = new LogTailer(options);
    await tailer.restore();
    await tailer.poll();

    const intervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    tailer.timer = setInterval(() => tailer.requestPoll(), intervalMs);
    if (options.watch ?? true) tailer.startWatching();
    return tailer;
  }

  /** Reads what is new now, handling a rotation, truncation or replacement seen on the way. */
  poll(): Promise<void> {
    this.pollChain = this.pollChain.then(
      () => this.pollOnce(),
      () => this.pollOnce(),
    );
    return this.pollChain;
  }

  /** Stops following, saves the position file and closes the file. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.watcher?.close();
    await this.pollChain.catch(() => undefined);

    if (this.options.statePath !== undefined) await this.saveState();
    await this.current?.handle.close();
    this.current = undefined;
  }

  // A poll already queued will see whatever the timer or the watcher noticed.
  private requestPoll(): void {
    if (this.pollQueued || this.stopped) return;
    this.pollQueued = true;
    this.poll()
      .catch((error: unknown) => this.logger.error({ err: error, path: this.options.path }, 'following the log failed; retrying at the next poll'))
      .finally(() => (this.pollQueued = false));
  }

  private startWatching(): void {
    const name = basename(this.options.path);
    try {
      this.watcher = watch(dirname(this.options.path), (_event, changed) => {
        if (changed === null || changed === name || changed.startsWith(`${name}.`)) this.requestPoll();
      });
      this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'fs.watch failed; following by polling only'));
    } catch (error) {
      // Some file systems (NFS, some FUSE mounts) cannot be watched; polling still works.
      this.logger.warn({ err: error }, 'fs.watch unavailable; following by polling only');
    }
  }

  private async pollOnce(): Promise<void> {
    if (this.stopped) return;
    if (this.current === undefined) {
      this.current = await openAt(this.options.path, 0);
      if (this.current === undefined) return;
    }
    await this.readToEnd(this.current);

    const onDisk = await fileIdentity(this.options.path);
    if (onDisk === undefined) return; // renamed away; the new file has not appeared yet

    if (onDisk.dev === this.current.dev && onDisk.ino === this.current.ino) {
      // NOTE: a truncation followed by enough new writes to pass the old offset before this poll looks like growth.
      if (onDisk.sizeBytes < this.current.offsetBytes) await this.restartAfterTruncation(this.current);
    } else {
      await this.switchToNewFile(this.current);
    }
    await this.saveStateIfDue();
  }

  private async restartAfterTruncation(file: OpenFile): Promise<void> {
    this.logger.warn({ path: this.options.path, offsetBytes: file.offsetBytes }, 'log shrank below the read position; reading it again from the start');
    this.hooks.onTruncation?.();
    file.offsetBytes = 0;
    await this.readToEnd(file);
    this.stateDirty = true;
  }

  private async switchToNewFile(old: OpenFile): Promise<void> {
    // Lines the writer added to the old file just before the switch.
    await this.readToEnd(old);
    const next = await openAt(this.options.path, 0);
    if (next === undefined) return;

    const { nlink } = await old.handle.stat();
    if (nlink === 0) {
      // Nothing else links the old inode: a file was renamed over it (a rewrite) or it was deleted.
      const { newLines, endOffset } = await splitRewrittenLines(old.handle, old.offsetBytes, next.handle);
      this.applyLines(newLines, 0);
      next.offsetBytes = endOffset;
      this.hooks.onReplacement?.();
      this.logger.info({ path: this.options.path, newLines: newLines.length }, 'log replaced by a rewritten file');
    } else {
      this.hooks.onRotation?.();
      this.logger.info({ path: this.options.path }, 'log rotated; following the new file');
    }

    await old.handle.close();
    this.current = next;
    await this.readToEnd(next);
    await this.saveState();
  }

  private async readToEnd(file: OpenFile): Promise<void> {
    for await (const chunk of readLineChunks(file.handle, { startOffset: file.offsetBytes })) {
      this.applyLines(chunk.lines, chunk.endOffset - file.offsetBytes);
      file.offsetBytes = chunk.endOffset;
      this.stateDirty = true;
    }
    this.hooks.onPosition?.(file.offsetBytes);
  }

  private applyLines(lines: readonly string[], bytes: number): void {
    const blankBefore = this.stats.blankLines;
    const invalidBefore = this.stats.invalidLines;
    const nowMs = Date.now();

    for (const line of lines) {
      const record = parseLine(line, this.stats);
      if (record === undefined) continue;
      const normalized = normalizeCallRecord(record, nowMs);
      if (!normalized.ok) continue;
      this.options.sink.apply(normalized.call, normalized.dropped);
      if (normalized.call.tsMs !== undefined && normalized.call.tsMs > this.newestRecordMs) this.newestRecordMs = normalized.call.tsMs;
    }

    this.hooks.onLines?.(lines.length, bytes);
    if (this.stats.blankLines > blankBefore) this.hooks.onBadLines?.('blank', this.stats.blankLines - blankBefore);
    if (this.stats.invalidLines > invalidBefore) this.hooks.onBadLines?.('invalid', this.stats.invalidLines - invalidBefore);
    if (Number.isFinite(this.newestRecordMs)) this.hooks.onRecordTime?.(this.newestRecordMs);
  }

  private async saveStateIfDue(): Promise<void> {
    const intervalMs = this.options.stateIntervalMs ?? DEFAULT_STATE_INTERVAL_MS;
    if (!this.stateDirty || Date.now() - this.lastStateSaveMs < intervalMs) return;
    await this.saveState();
  }

  // Runs inside the poll chain, so the sink's totals and the offset saved together match.
  private async saveState(): Promise<void> {
    const statePath = this.options.statePath;
    if (statePath === undefined || this.current === undefined) return;

    const position: LogPosition = { dev: this.current.dev, ino: this.current.ino, offsetBytes: this.current.offsetBytes };
    await writeCheckpointFile(statePath, [position], await (this.options.sink as StatefulSink).exportState());
    this.stateDirty = false;
    this.lastStateSaveMs = Date.now();
  }

  /**
   * Loads the position file. When the followed file is still the saved one,
   * reading resumes at the saved offset. When it was rotated while the tailer
   * was stopped, the rest of the old file is read from the archive that now
   * has its inode, then the new file from its start.
   */
  private async restore(): Promise<void> {
    const statePath = this.options.statePath;
    if (statePath === undefined) return;
    const checkpoint = await readCheckpointFile(statePath);
    if (checkpoint === undefined) return;

    (this.options.sink as StatefulSink).importState(checkpoint.state);
    const saved = checkpoint.positions[0];
    if (saved === undefined) return;

    const onDisk = await fileIdentity(this.options.path);
    if (onDisk !== undefined && onDisk.dev === saved.dev && onDisk.ino === saved.ino) {
      this.current = await openAt(this.options.path, saved.offsetBytes);
      if (this.current !== undefined && onDisk.sizeBytes < saved.offsetBytes) await this.restartAfterTruncation(this.current);
      return;
    }

    const archivePath = await findFileByIdentity(dirname(this.options.path), saved);
    if (archivePath === undefined) {
      // NOTE: a rewrite by rename while the tailer was stopped also lands here; its kept records are then counted again.
      this.logger.warn({ path: this.options.path, statePath }, 'the saved file is gone; reading the current file from its start');
      return;
    }

    // NOTE: only the archive with the saved inode is read, so a second rotation while stopped loses that file's records.
    const archive = await openAt(archivePath, saved.offsetBytes);
    if (archive === undefined) return;
    await this.readToEnd(archive);
    await archive.handle.close();
    this.hooks.onRotation?.();
    this.logger.info({ path: this.options.path, archivePath }, 'log rotated while stopped; read the rest of the archive');
  }
}

function isStatefulSink(sink: CallSink): sink is StatefulSink {
  const candidate = sink as Partial<StatefulSink>;
  return typeof candidate.exportState === 'function' && typeof candidate.importState === 'function';
}

async function openAt(path: string, offsetBytes: number): Promise<OpenFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const info = await handle.stat({ bigint: true });
  return { handle, dev: info.dev.toString(), ino: info.ino.toString(), offsetBytes };
}

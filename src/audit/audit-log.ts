import { access, constants, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendBatch } from './append-batch.js';
import { appendFully } from './append-write.js';
import { acquireDirectoryLock, type DirectoryLock } from './directory-lock.js';
import { ensureDirectory } from './ensure-directory.js';
import { nodeFileSystem, type AuditFileHandle, type AuditFileSystem } from './file-system.js';
import { LIVE_LOG_NAME, nextArchivePath } from './log-files.js';
import { fileIdentity, type LogPosition } from './log-position.js';
import { removeStaleRewriteFiles, replaceWithEmptyFile, rewriteLogFile, syncDirectory, type BeforeRename } from './rewrite.js';
import { repairTornTail } from './torn-tail.js';

export const DEFAULT_ROTATE_THRESHOLD_BYTES = 50 * 1024 * 1024;

// Scratch file of the readiness probe after a failed append; one file-system block.
const WRITE_PROBE_NAME = 'relay-metrics.write-probe';
const WRITE_PROBE_BYTES = 4096;

// One write carries at most this many bytes of queued lines. A burst of
// 100,000 records is about 35 MB; capping the write keeps the joined string
// and buffer small and lets maintenance tasks queued behind the burst run
// between writes instead of after all of it.
const DEFAULT_MAX_WRITE_BYTES = 4 * 1024 * 1024;

/** Callbacks through which the log reports to self-metrics without importing them. */
export interface AuditLogHooks {
  onAppend?(records: number, bytes: number): void;
  onAppendFailure?(error: NodeJS.ErrnoException, records: number): void;
  onRotate?(archivePath: string): void;
  onSizeChange?(sizeBytes: number): void;
  onTornTailRepaired?(bytes: number): void;
  /**
   * Saves whatever state covers the log up to `positions` (the metric
   * checkpoint). Called inside the writer queue, so no append runs meanwhile:
   * after a rotation, before a rewrite (delete, clear) renames the new file into
   * place, from `checkpoint()` and on `close()`. It lists every file that may
   * be the live log after a crash at that instant.
   */
  writeCheckpoint?(positions: readonly LogPosition[]): Promise<void>;
  /** Reports a checkpoint that failed after the log had changed; the change itself is kept. */
  onCheckpointFailure?(error: Error): void;
}

export interface AuditLogOptions {
  dataDir: string;
  /** Rotate the live log once it reaches this size. Default 50 MiB. */
  rotateThresholdBytes?: number;
  maxWriteBytes?: number;
  hooks?: AuditLogHooks;
  /** Clock for archive names; tests replace it. */
  now?: () => Date;
  /** Opens the live file for appends; tests pass one whose writes fail. Default `node:fs/promises`. */
  fileSystem?: AuditFileSystem;
}

/** Raised to the caller of `append` when its line could not be written. */
export class AppendError extends Error {
  readonly code = 'ERR_AUDIT_APPEND_FAILED';

  constructor(readonly errno: NodeJS.ErrnoException) {
    super(`audit log append failed: ${describeErrno(errno)}`, { cause: errno });
    this.name = 'AppendError';
  }
}

type Task =
  | { kind: 'append'; batch: AppendBatch }
  | { kind: 'maintenance'; run: () => Promise<void> };

/**
 * The append-only NDJSON audit log of one data directory.
 *
 * Appends and maintenance (rotation, delete, clear) run one at a time from a
 * single queue, so maintenance never races an append. Appends that arrive
 * while a write is in flight join one batch, and the next write hands the
 * batch to the kernel whole (group commit). `append` resolves after its batch
 * was written.
 */
export class AuditLog {
  readonly livePath: string;
  private readonly queue: Task[] = [];
  private pumping = false;
  private closed = false;
  private sizeBytes = 0;
  private lastWriteFailed = false;
  // Set when a failed write may have left a partial line that could not be cut off.
  private needsLeadingNewline = false;

  private constructor(
    readonly dataDir: string,
    private handle: AuditFileHandle,
    private readonly lock: DirectoryLock,
    private readonly rotateThresholdBytes: number,
    private readonly maxWriteBytes: number,
    private readonly hooks: AuditLogHooks,
    private readonly now: () => Date,
    private readonly fileSystem: AuditFileSystem,
  ) {
    this.livePath = join(dataDir, LIVE_LOG_NAME);
  }

  /**
   * Opens the log of `dataDir`: creates the directory, takes its lock, repairs
   * a torn last line, rotates an oversized live file and opens it for appends.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const hooks = options.hooks ?? {};
    const now = options.now ?? (() => new Date());
    const fileSystem = options.fileSystem ?? nodeFileSystem;
    const rotateThresholdBytes = options.rotateThresholdBytes ?? DEFAULT_ROTATE_THRESHOLD_BYTES;
    validatePositive('rotateThresholdBytes', rotateThresholdBytes);

    await ensureDirectory(options.dataDir, 0o700);
    const lock = await acquireDirectoryLock(options.dataDir);

    try {
      const livePath = join(options.dataDir, LIVE_LOG_NAME);
      await removeStaleRewriteFiles(livePath);
      const handle = await fileSystem.open(livePath, 'a', 0o600);
      const repairedBytes = await repairTornTail(livePath, options.dataDir);
      if (repairedBytes > 0) hooks.onTornTailRepaired?.(repairedBytes);

      const log = new AuditLog(
        options.dataDir,
        handle,
        lock,
        rotateThresholdBytes,
        options.maxWriteBytes ?? DEFAULT_MAX_WRITE_BYTES,
        hooks,
        now,
        fileSystem,
      );
      log.sizeBytes = Number((await handle.stat({ bigint: true })).size);
      if (log.sizeBytes >= rotateThresholdBytes) await log.rotateNow();
      hooks.onSizeChange?.(log.sizeBytes);
      return log;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Size of the live file in bytes, as of the last write or maintenance. */
  get liveSizeBytes(): number {
    return this.sizeBytes;
  }

  /**
   * Queues one NDJSON line (newline included) and resolves once it was written.
   * Rejects with AppendError when the write failed; the line is then not in the log.
   *
   * `onWritten` runs inside the writer queue right after the write, before any
   * later append or maintenance task, so state it updates (the metrics) always
   * matches the log at a checkpoint. It must not throw.
   */
  append(line: string, onWritten?: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit log is closed'));

    const tail = this.queue[this.queue.length - 1];
    if (tail?.kind === 'append' && tail.batch.codeUnits + line.length <= this.maxWriteBytes) {
      tail.batch.add(line, onWritten);
      return tail.batch.written;
    }

    const batch = new AppendBatch(line, onWritten);
    this.queue.push({ kind: 'append', batch });
    this.startPump();
    return batch.written;
  }

  /**
   * Removes the lines whose `job_id` is in `jobIds`. Lines that are not JSON
   * are kept. Runs between appends, never during one.
   */
  deleteByJobIds(jobIds: Iterable<string>): Promise<{ deleted: number }> {
    const wanted = new Set(jobIds);
    return this.runExclusive(async () => {
      if (wanted.size === 0) return { deleted: 0 };
      const result = await rewriteLogFile(this.livePath, (line) => !lineHasJobId(line, wanted), this.checkpointBeforeRename);
      await this.reopenLive();
      return { deleted: result.droppedLines };
    });
  }

  /** Empties the live log. Archives are kept. */
  clearAll(): Promise<void> {
    return this.runExclusive(async () => {
      await replaceWithEmptyFile(this.livePath, this.checkpointBeforeRename);
      await this.reopenLive();
    });
  }

  /** Rotates the live log now, whatever its size. Returns the archive path, or undefined when it was empty. */
  rotate(): Promise<string | undefined> {
    return this.runExclusive(async () => (this.sizeBytes === 0 ? undefined : this.rotateNow()));
  }

  /** Writes a checkpoint of the live log at its current size, between appends. */
  checkpoint(): Promise<void> {
    return this.runExclusive(async () => {
      await this.hooks.writeCheckpoint?.([await this.livePosition()]);
    });
  }

  /** True while the live log can take appends: open, writable, and either the last write or a probe write succeeded. */
  async isWritable(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await access(this.livePath, constants.W_OK);
    } catch {
      return false;
    }
    return this.lastWriteFailed ? this.probeWrite() : true;
  }

  // After a failed append, readiness cannot wait for the next append: a
  // service that is not ready gets no traffic, so it would never turn ready
  // again. The probe writes one block to a scratch file through the same file
  // system as appends, inside the writer queue, and removes it.
  private probeWrite(): Promise<boolean> {
    const probePath = join(this.dataDir, WRITE_PROBE_NAME);
    const probe = async (): Promise<boolean> => {
      try {
        const handle = await this.fileSystem.open(probePath, 'w', 0o600);
        try {
          await appendFully(handle, Buffer.alloc(WRITE_PROBE_BYTES, 0x0a));
        } finally {
          await handle.close();
        }
        return true;
      } catch {
        return false;
      } finally {
        await rm(probePath, { force: true }).catch(() => undefined);
      }
    };
    return this.runExclusive(probe).catch(() => false);
  }

  /**
   * Waits for every queued append and maintenance task, writes a last
   * checkpoint, then closes the file and releases the lock.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.runExclusive(async () => {
      this.closed = true;
      try {
        await this.hooks.writeCheckpoint?.([await this.livePosition()]);
      } catch (error) {
        this.hooks.onCheckpointFailure?.(error as Error);
      }
      await this.handle.close();
    });
    await this.lock.release();
  }

  private runExclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('audit log is closed'));

    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        kind: 'maintenance',
        run: async () => {
          try {
            resolve(await work());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      });
      this.startPump();
    });
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  // Never rejects: each task settles its own waiters.
  private async pump(): Promise<void> {
    let task = this.queue.shift();
    while (task !== undefined) {
      if (task.kind === 'append') await this.writeBatch(task.batch);
      else await task.run();
      task = this.queue.shift();
    }
    this.pumping = false;
  }

  private async writeBatch(batch: AppendBatch): Promise<void> {
    const buffer = this.needsLeadingNewline ? Buffer.concat([Buffer.from('\n'), batch.bytes()]) : batch.bytes();
    const sizeBefore = this.sizeBytes;

    try {
      await appendFully(this.handle, buffer);
    } catch (error) {
      await this.discardPartialWrite(sizeBefore);
      this.lastWriteFailed = true;
      const appendError = new AppendError(error as NodeJS.ErrnoException);
      this.hooks.onAppendFailure?.(appendError.errno, batch.lineCount);
      batch.reject(appendError);
      return;
    }

    this.needsLeadingNewline = false;
    this.lastWriteFailed = false;
    this.sizeBytes += buffer.length;
    this.hooks.onAppend?.(batch.lineCount, buffer.length);
    this.hooks.onSizeChange?.(this.sizeBytes);
    batch.resolve();

    await this.rotateIfDue();
  }

  // A failed write may have written part of the batch. Cutting the file back to
  // its size before the write keeps every line whole. When even that fails, the
  // next batch starts with a newline, so the fragment cannot merge with a record.
  private async discardPartialWrite(sizeBefore: number): Promise<void> {
    try {
      const size = Number((await this.handle.stat({ bigint: true })).size);
      if (size > sizeBefore) await this.handle.truncate(sizeBefore);
    } catch {
      this.needsLeadingNewline = true;
    }
  }

  private async rotateIfDue(): Promise<void> {
    if (this.sizeBytes < this.rotateThresholdBytes) return;
    try {
      await this.rotateNow();
    } catch (error) {
      // Appends go on into the oversized live file; the next write retries the rotation.
      this.hooks.onAppendFailure?.(error as NodeJS.ErrnoException, 0);
    }
  }

  // The archive keeps the live file's inode, so a checkpoint taken before the
  // rename still finds its file when a crash comes before the next checkpoint.
  private async rotateNow(): Promise<string> {
    const archivePath = await nextArchivePath(this.dataDir, this.now());
    await this.handle.sync();
    const archived = await this.livePosition();
    await rename(this.livePath, archivePath);
    await syncDirectory(this.dataDir);
    await this.reopenLive();
    this.hooks.onRotate?.(archivePath);

    try {
      await this.hooks.writeCheckpoint?.([archived, await this.livePosition()]);
    } catch (error) {
      this.hooks.onCheckpointFailure?.(error as Error);
    }
    return archivePath;
  }

  // A rewrite's checkpoint lists the old live file and its replacement, so
  // after a crash on either side of the rename the live file is one of them.
  private readonly checkpointBeforeRename: BeforeRename = async (temporaryPath, sizeBytes) => {
    if (this.hooks.writeCheckpoint === undefined) return;

    const replacement = await fileIdentity(temporaryPath);
    if (replacement === undefined) throw new Error(`rewritten log ${temporaryPath} vanished before its rename`);
    await this.hooks.writeCheckpoint([
      await this.livePosition(),
      { dev: replacement.dev, ino: replacement.ino, offsetBytes: sizeBytes },
    ]);
  };

  private async livePosition(): Promise<LogPosition> {
    const info = await this.handle.stat({ bigint: true });
    return { dev: info.dev.toString(), ino: info.ino.toString(), offsetBytes: this.sizeBytes };
  }

  private async reopenLive(): Promise<void> {
    const previous = this.handle;
    this.handle = await this.fileSystem.open(this.livePath, 'a', 0o600);
    await previous.close();
    this.sizeBytes = (await stat(this.livePath)).size;
    this.hooks.onSizeChange?.(this.sizeBytes);
  }
}

function lineHasJobId(line: string, jobIds: ReadonlySet<string>): boolean {
  // Most lines of a large log belong to other jobs; the substring test skips
  // parsing lines that cannot match.
  if (!line.includes('"job_id"')) return false;
  try {
    const value = JSON.parse(line) as { job_id?: unknown };
    return typeof value.job_id === 'string' && jobIds.has(value.job_id);
  } catch {
    // A line that is not JSON has no job id; it is kept.
    return false;
  }
}

function validatePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of bytes, got ${value}`);
  }
}

// Node's errno messages already start with the code ("ENOSPC: no space left on
// device"); the code is added only to messages that lack it.
function describeErrno(errno: NodeJS.ErrnoException): string {
  if (errno.code === undefined || errno.message.startsWith(errno.code)) return errno.message;
  return `${errno.code}: ${errno.message}`;
}

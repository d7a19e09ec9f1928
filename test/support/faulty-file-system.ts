import { open, type FileHandle } from 'node:fs/promises';
import type { AuditFileHandle, AuditFileSystem } from '../../src/audit/file-system.js';

interface WriteFault {
  code: string;
  /** Failures left before writes succeed again; Infinity until `clearFault`. */
  remaining: number;
  /** Write half of the buffer before failing, as a disk that fills mid-write does. */
  partial: boolean;
}

/**
 * A real file system whose writes can be made to fail with an errno error,
 * and which can "crash": from then on every call through it hangs forever and
 * its files are closed, as when the process is killed. Nothing is mocked
 * below it: data goes to the real files.
 */
export class FaultyFileSystem implements AuditFileSystem {
  private fault: WriteFault | undefined;
  private crashed = false;
  private readonly handles = new Set<FileHandle>();
  /** Writes that reached the file, failed ones not included. */
  writes = 0;
  /** Calls made after the crash, each of which now hangs. */
  hungCalls = 0;

  failWrites(code: string, options: { times?: number; partial?: boolean } = {}): void {
    this.fault = { code, remaining: options.times ?? Number.POSITIVE_INFINITY, partial: options.partial ?? false };
  }

  clearFault(): void {
    this.fault = undefined;
  }

  /** Stops the simulated process: pending and later calls never settle, and its files are closed. */
  async crash(): Promise<void> {
    this.crashed = true;
    await Promise.all([...this.handles].map((handle) => handle.close().catch(() => undefined)));
    this.handles.clear();
  }

  async open(path: string, flags: string, mode: number): Promise<AuditFileHandle> {
    await this.stopIfCrashed();
    const handle = await open(path, flags, mode);
    this.handles.add(handle);
    return this.wrap(handle);
  }

  private wrap(handle: FileHandle): AuditFileHandle {
    return {
      write: async (buffer, offset, length, position) => {
        await this.stopIfCrashed();
        if (this.fault !== undefined && this.fault.remaining > 0) {
          this.fault.remaining -= 1;
          if (this.fault.partial && length > 1) await handle.write(buffer, offset, Math.floor(length / 2), position);
          throw errnoError(this.fault.code);
        }
        const result = await handle.write(buffer, offset, length, position);
        // A crash while the write was in the kernel: the bytes are in the file, the caller never learns it.
        await this.stopIfCrashed();
        this.writes += 1;
        return result;
      },
      sync: async () => {
        await this.stopIfCrashed();
        await handle.sync();
      },
      stat: async (options) => {
        await this.stopIfCrashed();
        return handle.stat(options);
      },
      truncate: async (length) => {
        await this.stopIfCrashed();
        await handle.truncate(length);
      },
      close: async () => {
        await this.stopIfCrashed();
        this.handles.delete(handle);
        await handle.close();
      },
    };
  }

  private stopIfCrashed(): Promise<void> {
    if (!this.crashed) return Promise.resolve();
    this.hungCalls += 1;
    return new Promise<void>(() => {});
  }
}

/** Builds an error shaped like the one `node:fs` raises for `code`. */
export function errnoError(code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: injected fault, write`);
  error.code = code;
  error.syscall = 'write';
  return error;
}

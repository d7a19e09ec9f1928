import type { BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';

/** The calls the audit-log writer makes on the live file's handle; `node:fs/promises` FileHandle fits it. */
export interface AuditFileHandle {
  write(buffer: Buffer, offset: number, length: number, position: null): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  stat(options: { bigint: true }): Promise<BigIntStats>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The opener of the live file. Tests pass a wrapper whose handle fails
 * writes with an errno error (ENOSPC, EIO, …) to exercise the failure paths
 * without patching `node:fs` for the whole process.
 */
export interface AuditFileSystem {
  open(path: string, flags: string, mode: number): Promise<AuditFileHandle>;
}

export const nodeFileSystem: AuditFileSystem = {
  open: (path, flags, mode) => open(path, flags, mode),
};

import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditFileHandle } from './file-system.js';

/**
 * Delays before each retry of a write that failed with EAGAIN. EAGAIN means
 * the file descriptor is non-blocking and momentarily full, as a log on a FIFO
 * or on a FUSE or network file system under load can be. It clears within
 * milliseconds, so rejecting the batch at once would fail records for nothing.
 * The retries are bounded (31 ms in all) so a device that stays busy surfaces
 * as a counted failure instead of stalling every queued append.
 */
export const EAGAIN_RETRY_DELAYS_MS: readonly number[] = [1, 2, 4, 8, 16];

/**
 * Writes the whole buffer at the end of the file, looping over short writes
 * and retrying EAGAIN after the delays in `retryDelaysMs`. Any other error, or
 * EAGAIN once the retries are used up, is thrown. Bytes already written stay
 * in the file for the caller to cut off.
 */
export async function appendFully(
  handle: AuditFileHandle,
  buffer: Buffer,
  retryDelaysMs: readonly number[] = EAGAIN_RETRY_DELAYS_MS,
): Promise<void> {
  let offset = 0;
  let retries = 0;

  while (offset < buffer.length) {
    try {
      const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset, null);
      offset += bytesWritten;
    } catch (error) {
      const errno = error as NodeJS.ErrnoException;
      if (errno.code !== 'EAGAIN' || retries >= retryDelaysMs.length) throw error;

      await sleep(retryDelaysMs[retries]);
      retries += 1;
    }
  }
}

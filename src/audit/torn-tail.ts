import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';

/** File that receives torn tails cut from the live log, so that repair never destroys bytes. */
export const TORN_TAILS_NAME = 'relay-calls.torn-tails';

const SCAN_BYTES = 64 * 1024;

/**
 * Repairs a live log whose last line lacks its newline, as a crash in the
 * middle of a write leaves it. The partial line was never acknowledged, so it
 * is moved to `relay-calls.torn-tails` and cut from the log. The next append
 * then starts on a fresh line. Returns the number of bytes moved.
 */
export async function repairTornTail(logPath: string, dataDir: string): Promise<number> {
  const handle = await open(logPath, 'r+');

  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;

    const lastByte = Buffer.alloc(1);
    await handle.read(lastByte, 0, 1, size - 1);
    if (lastByte[0] === 0x0a) return 0;

    const tailStart = await findLineStart(handle, size);
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);

    await appendFile(join(dataDir, TORN_TAILS_NAME), Buffer.concat([tail, Buffer.from('\n')]), { mode: 0o600 });
    await handle.truncate(tailStart);
    await handle.sync();
    return tail.length;
  } finally {
    await handle.close();
  }
}

/** Returns the offset just after the last newline before `size`, or 0 when there is none. */
async function findLineStart(handle: import('node:fs/promises').FileHandle, size: number): Promise<number> {
  let end = size;

  while (end > 0) {
    const start = Math.max(0, end - SCAN_BYTES);
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);

    const newline = buffer.lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}

import { open, type FileHandle } from 'node:fs/promises';

/** The complete lines found in one read, and the byte offset just after the last of them. */
export interface LineChunk {
  lines: string[];
  endOffset: number;
}

export interface ReadLinesOptions {
  startOffset?: number;
  /** Stop at this byte offset, so a reader sees a fixed prefix of a file that keeps growing. */
  endOffset?: number;
  readSizeBytes?: number;
}

const NEWLINE = 0x0a;
const DEFAULT_READ_SIZE_BYTES = 1024 * 1024;

/**
 * Reads newline-terminated lines from a file, a chunk of lines at a time.
 * Yielding arrays, not single lines, keeps the per-line cost of async
 * iteration out of replays of large logs. A final line without a newline is
 * not yielded: `unterminatedBytes` in the returned value reports its size, so
 * the caller can count it as torn or wait for the rest of it.
 *
 * `source` is a path, or an open handle that is left open: a follower reads a
 * file through a handle it keeps after the file was renamed or unlinked.
 */
export async function* readLineChunks(
  source: string | FileHandle,
  options: ReadLinesOptions = {},
): AsyncGenerator<LineChunk, { unterminatedBytes: number }, undefined> {
  const readSize = options.readSizeBytes ?? DEFAULT_READ_SIZE_BYTES;
  const ownsHandle = typeof source === 'string';
  const handle = typeof source === 'string' ? await open(source, 'r') : source;

  try {
    let position = options.startOffset ?? 0;
    const endOffset = options.endOffset ?? Number.POSITIVE_INFINITY;
    let carry: Buffer = Buffer.alloc(0);

    while (position < endOffset) {
      const want = Math.min(readSize, endOffset - position);
      // The carried partial line goes in front and the read lands after it, so
      // only the carry is copied, not the whole read as a concat would.
      const buffer = Buffer.allocUnsafe(carry.length + want);
      carry.copy(buffer, 0);
      const { bytesRead } = await handle.read(buffer, carry.length, want, position);
      if (bytesRead === 0) break;

      const data = buffer.subarray(0, carry.length + bytesRead);
      const dataStartOffset = position - carry.length;
      position += bytesRead;

      const { lines, consumedBytes } = splitLines(data);
      carry = Buffer.from(data.subarray(consumedBytes));
      if (lines.length > 0) yield { lines, endOffset: dataStartOffset + consumedBytes };
    }

    return { unterminatedBytes: carry.length };
  } finally {
    if (ownsHandle) await handle.close();
  }
}

// Decodes at most about this many bytes into one string. A longer string goes
// to V8's large-object space, which only a full collection frees, so a replay
// of a big log would keep hundreds of megabytes of decoded chunks until then.
const DECODE_SLICE_BYTES = 64 * 1024;

// Decodes runs of whole lines at once and splits the string, instead of
// decoding each line on its own: one toString per 64 KiB costs far less than
// hundreds of small ones. Cutting at a newline byte is safe for UTF-8, because
// 0x0a never occurs inside a multi-byte sequence.
function splitLines(data: Buffer): { lines: string[]; consumedBytes: number } {
  const lines: string[] = [];
  const lastNewline = data.lastIndexOf(NEWLINE);
  let start = 0;

  while (start <= lastNewline) {
    let end = lastNewline;
    if (start + DECODE_SLICE_BYTES < lastNewline) {
      end = data.lastIndexOf(NEWLINE, start + DECODE_SLICE_BYTES);
      // A line longer than the slice is decoded whole.
      if (end < start) end = data.indexOf(NEWLINE, start + DECODE_SLICE_BYTES);
    }

    for (const line of data.toString('utf8', start, end).split('\n')) lines.push(line);
    start = end + 1;
  }

  return { lines, consumedBytes: lastNewline + 1 };
}

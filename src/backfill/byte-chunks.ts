// Large enough that a block file of tens of megabytes takes few allocations.
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * An append-only byte sink that fills fixed-size Buffers. Writing millions of
 * short lines this way avoids building one huge JavaScript string, whose
 * concatenation and flattening cost more than the formatting itself.
 */
export class ByteChunks {
  private readonly full: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private offset = 0;

  /** Appends bytes that were encoded once and are reused, such as a series' label text. */
  appendBytes(bytes: Buffer): void {
    if (bytes.length > this.current.length - this.offset) this.startChunk(bytes.length);
    bytes.copy(this.current, this.offset);
    this.offset += bytes.length;
  }

  /** Appends text that holds only ASCII characters, such as a number. */
  appendAscii(text: string): void {
    if (text.length > this.current.length - this.offset) this.startChunk(text.length);
    this.offset += this.current.write(text, this.offset, 'latin1');
  }

  /** Appends any text as UTF-8. */
  appendText(text: string): void {
    this.appendBytes(Buffer.from(text, 'utf8'));
  }

  /** Returns the written bytes as a list of Buffers, in order. */
  toBuffers(): Buffer[] {
    return [...this.full, this.current.subarray(0, this.offset)];
  }

  private startChunk(minBytes: number): void {
    this.full.push(this.current.subarray(0, this.offset));
    this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, minBytes));
    this.offset = 0;
  }
}

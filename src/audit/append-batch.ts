// UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair, 2 units, takes 4 bytes).
const MAX_UTF8_BYTES_PER_CODE_UNIT = 3;

/**
 * The lines of one group-commit write. Each line is encoded into the batch's
 * buffer when it is appended, and every append of the batch waits on the same
 * promise. A burst of 100,000 calls then keeps a few buffers and promises
 * alive instead of 100,000 strings and promises, which the garbage collector
 * would otherwise copy again and again while the batches wait for their writes.
 */
export class AppendBatch {
  readonly written: Promise<void>;
  lineCount = 0;
  /** Count of UTF-16 code units appended, the measure that the write cap applies to. */
  codeUnits = 0;
  private buffer: Buffer;
  private byteLength = 0;
  // Callbacks that must run inside the writer queue right after the write,
  // before the promise settles; see AuditLog.append.
  private readonly writtenCallbacks: Array<() => void> = [];
  private resolveWritten!: () => void;
  private rejectWritten!: (error: Error) => void;

  constructor(firstLine: string, onWritten?: () => void) {
    this.written = new Promise<void>((resolve, reject) => {
      this.resolveWritten = resolve;
      this.rejectWritten = reject;
    });
    // Sized for the first line alone, so a batch of one short line (a call
    // awaited on its own) comes from Node's small-buffer pool. A burst doubles it as needed.
    this.buffer = Buffer.allocUnsafe(firstLine.length * MAX_UTF8_BYTES_PER_CODE_UNIT);
    this.add(firstLine, onWritten);
  }

  add(line: string, onWritten?: () => void): void {
    const worstCaseBytes = line.length * MAX_UTF8_BYTES_PER_CODE_UNIT;
    if (this.byteLength + worstCaseBytes > this.buffer.length) this.grow(this.byteLength + worstCaseBytes);

    this.byteLength += this.buffer.write(line, this.byteLength, 'utf8');
    this.codeUnits += line.length;
    this.lineCount += 1;
    if (onWritten !== undefined) this.writtenCallbacks.push(onWritten);
  }

  /** Returns the encoded lines, valid until the next `add`. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.byteLength);
  }

  /** Runs the `onWritten` callbacks, then resolves every append of the batch. */
  resolve(): void {
    for (const callback of this.writtenCallbacks) callback();
    this.resolveWritten();
  }

  reject(error: Error): void {
    this.rejectWritten(error);
  }

  private grow(minimumBytes: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, minimumBytes));
    this.buffer.copy(grown, 0, 0, this.byteLength);
    this.buffer = grown;
  }
}

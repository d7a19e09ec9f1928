import { describe, expect, it } from 'vitest';
import { AppendBatch } from '../../src/audit/append-batch.js';

describe('AppendBatch', () => {
  it('encodes lines as UTF-8 in append order', () => {
    const lines = ['{"model":"modèle"}\n', '{"note":"日本語 😀"}\n', '{"ts":1}\n'];
    const batch = new AppendBatch(lines[0]!);
    batch.add(lines[1]!);
    batch.add(lines[2]!);

    expect(batch.bytes().toString('utf8')).toBe(lines.join(''));
    expect(batch.bytes().length).toBe(Buffer.byteLength(lines.join('')));
    expect(batch.lineCount).toBe(3);
    expect(batch.codeUnits).toBe(lines.join('').length);
  });

  it('grows past its first buffer without losing bytes', () => {
    const lines = Array.from({ length: 2_000 }, (_, index) => `${JSON.stringify({ index, text: 'é'.repeat(index % 50) })}\n`);
    const batch = new AppendBatch(lines[0]!);
    for (const line of lines.slice(1)) batch.add(line);

    expect(batch.bytes().toString('utf8')).toBe(lines.join(''));
  });

  it('takes a first line longer than its initial buffer', () => {
    const long = `${JSON.stringify({ text: 'ü'.repeat(100_000) })}\n`;
    const batch = new AppendBatch(long);
    expect(batch.bytes().toString('utf8')).toBe(long);
  });

  it('settles every waiter with the one write result', async () => {
    const batch = new AppendBatch('{}\n');
    const error = new Error('disk full');
    batch.reject(error);
    await expect(batch.written).rejects.toBe(error);
  });
});

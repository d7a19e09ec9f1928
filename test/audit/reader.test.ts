import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLogFiles } from '../../src/audit/log-files.js';
import { readLineChunks } from '../../src/audit/line-chunks.js';
import { createReadStats, readRecords } from '../../src/audit/reader.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

async function collect(path: string, options = {}) {
  const stats = createReadStats();
  const records = [];
  for await (const chunk of readRecords(path, options, stats)) records.push(...chunk.records);
  return { records, stats };
}

describe('readRecords', () => {
  it('skips and counts blank, non-JSON, non-object and torn lines', async () => {
    const path = join(await makeTempDir(), 'log.ndjson');
    await writeFile(path, '{"ts":1}\n\n   \nnot json\n[1,2]\n"text"\n{"ts":2}\n{"ts":3,"cut');

    const { records, stats } = await collect(path);
    expect(records).toEqual([{ ts: 1 }, { ts: 2 }]);
    expect(stats).toEqual({ lines: 7, records: 2, blankLines: 2, invalidLines: 3, tornLines: 1 });
  });

  it('inclusive time range filter', async () => {
    const path = join(await makeTempDir(), 'log.ndjson');
    await writeFile(path, '{"ts":1}\n{"ts":2}\n{"ts":3}\n{"ts":"2"}\n{}\n');
    const { records } = await collect(path, { sinceMs: 2, untilMs: 3 });
    expect(records).toEqual([{ ts: 2 }, { ts: 3 }]);
  });

  it('reads lines that span read chunks and multi-byte characters', async () => {
    const path = join(await makeTempDir(), 'log.ndjson');
    const lines = Array.from({ length: 3_000 }, (_, index) => JSON.stringify({ ts: index, model: `modèle-ü-${'x'.repeat(index % 700)}` }));
    await writeFile(path, `${lines.join('\n')}\n`);
    const { records } = await collect(path);
    expect(records).toHaveLength(3_000);
    expect(records[2_999]).toEqual(JSON.parse(lines[2_999]!));
  });

  it('stops at endOffset', async () => {
    const path = join(await makeTempDir(), 'log.ndjson');
    await writeFile(path, '{"ts":1}\n{"ts":2}\n');
    const { records } = await collect(path, { endOffset: 9 });
    expect(records).toEqual([{ ts: 1 }]);
  });
});

describe('listLogFiles', () => {
  it('orders archives by day and suffix, live file last', async () => {
    const dir = await makeTempDir();
    for (const name of [
      'relay-calls.ndjson',
      'relay-calls-2026-12-02.1.ndjson',
      'relay-calls-2026-12-02.ndjson',
      'relay-calls-2026-11-30.ndjson',
      'relay-calls-2026-12-02.10.ndjson',
      'relay-calls-2026-12-02.2.ndjson',
      'unrelated.txt',
    ]) {
      await writeFile(join(dir, name), '');
    }
    const names = (await listLogFiles(dir)).map((path) => path.slice(dir.length + 1));
    expect(names).toEqual([
      'relay-calls-2026-11-30.ndjson',
      'relay-calls-2026-12-02.ndjson',
      'relay-calls-2026-12-02.1.ndjson',
      'relay-calls-2026-12-02.2.ndjson',
      'relay-calls-2026-12-02.10.ndjson',
      'relay-calls.ndjson',
    ]);
  });
});

describe('readLineChunks', () => {
  it('splits lines at any read size with byte offsets', async () => {
    const shortLines = Array.from({ length: 200 }, (_, index) => JSON.stringify({ index, model: `modèle-${'😀'.repeat(index % 7)}` }));
    // Lines longer than the reader's 64 KiB decode slice, and an empty one.
    const longLines = [...shortLines];
    longLines.splice(50, 0, JSON.stringify({ long: 'é'.repeat(100_000) }), '', JSON.stringify({ long: 'x'.repeat(70_000) }));
    const cases = [
      { lines: shortLines, readSizes: [1, 7, 64, 1_000_000] },
      { lines: longLines, readSizes: [4_096, 100_000, 1_000_000] },
    ];

    for (const { lines, readSizes } of cases) {
      const path = join(await makeTempDir(), 'log.ndjson');
      await writeFile(path, `${lines.join('\n')}\n{"torn":`);

      for (const readSizeBytes of readSizes) {
        const seen: string[] = [];
        const chunks = readLineChunks(path, { readSizeBytes });
        let step = await chunks.next();
        while (step.done !== true) {
          seen.push(...step.value.lines);
          expect(step.value.endOffset).toBe(Buffer.byteLength(`${seen.join('\n')}\n`));
          step = await chunks.next();
        }

        expect(seen).toEqual(lines);
        expect(step.value.unterminatedBytes).toBe(Buffer.byteLength('{"torn":'));
      }
    }
  });
});

// The cost of one awaited write of one line, the floor under recordCall
// when each call is awaited before the next: no later call can join its
// write, so every call pays a full trip through libuv's thread pool.
import { closeSync, openSync, writeSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { interleave, median, nowMs, withTempDir } from './support.js';

const WRITES = 10_000;
const ROUNDS = 3;
const LINE = Buffer.from(`${JSON.stringify({ text: 'x'.repeat(330) })}\n`);

async function timeFileHandleWrites(path) {
  const handle = await open(path, 'a');
  const startedMs = nowMs();
  for (let write = 0; write < WRITES; write += 1) await handle.write(LINE);
  const elapsedMs = nowMs() - startedMs;
  await handle.close();
  return (elapsedMs * 1000) / WRITES;
}

async function timeAppendFiles(path) {
  const startedMs = nowMs();
  for (let write = 0; write < WRITES; write += 1) await appendFile(path, LINE);
  return ((nowMs() - startedMs) * 1000) / WRITES;
}

function timeSyncWrites(path) {
  const fd = openSync(path, 'a');
  const startedMs = nowMs();
  for (let write = 0; write < WRITES; write += 1) writeSync(fd, LINE);
  const elapsedMs = nowMs() - startedMs;
  closeSync(fd);
  return (elapsedMs * 1000) / WRITES;
}

export async function runWriteCallBenchmarks() {
  return withTempDir('write-call', async (dir) => {
    const results = await interleave(ROUNDS, {
      fileHandle: (round) => timeFileHandleWrites(join(dir, `handle-${round}`)),
      appendFile: (round) => timeAppendFiles(join(dir, `append-${round}`)),
      writeSync: async (round) => timeSyncWrites(join(dir, `sync-${round}`)),
    });

    const handleMicros = median(results.fileHandle);
    const appendMicros = median(results.appendFile);
    return [
      {
        name: `one awaited write of a ${LINE.length}-byte line (FileHandle.write)`,
        figure: handleMicros,
        unit: 'µs/write',
        baselineName: 'appendFile per line',
        baseline: appendMicros,
        ratio: appendMicros / handleMicros,
        ratioLabel: 'speed-up',
        note:
          `fs.writeSync of the same line: ${median(results.writeSync).toFixed(2)} µs, without the thread-pool trip; ` +
          `bounds the sequential ratio at about appendFile / FileHandle.write`,
        target: 'none (bound for the sequential target)',
        met: undefined,
      },
    ];
  });
}

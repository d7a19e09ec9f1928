// Start-up replay: createRelayMetrics on a data directory whose live log is
// 50 MB, against reading the same file and running plain JSON.parse on each line.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LIVE_LOG_NAME } from '../dist/audit/log-files.js';
import { createRelayMetrics } from '../dist/relay.js';
import { parseLinesFloor } from './baselines.js';
import { interleave, median, nowMs, withTempDir } from './support.js';

const LOG_BYTES = 50 * 1000 * 1000;
const ROUNDS = 5;

/** Writes sample lines over and over until the file has at least `LOG_BYTES`, and returns its line count and size. */
async function writeLog(path, samples) {
  const lines = samples.map((record) => `${JSON.stringify(record)}\n`);
  const block = Buffer.from(lines.join(''));
  const handle = await open(path, 'w');
  let bytes = 0;
  try {
    while (bytes < LOG_BYTES) {
      await handle.write(block);
      bytes += block.length;
    }
  } finally {
    await handle.close();
  }
  return { lines: (bytes / block.length) * lines.length, bytes };
}

export async function runReplayBenchmarks(samples) {
  return withTempDir('replay', async (dir) => {
    const livePath = join(dir, LIVE_LOG_NAME);
    const log = await writeLog(livePath, samples);

    const results = await interleave(ROUNDS, {
      exporter: async () => {
        // Each close writes a checkpoint, and a start from a checkpoint skips the
        // replay; removing it measures the full replay of a first start.
        await rm(join(dir, 'relay-metrics.checkpoint.json'), { force: true });
        const startedMs = nowMs();
        // A threshold above the file size keeps the open from rotating the log away before the replay.
        const relay = await createRelayMetrics({ dataDir: dir, rotateThresholdBytes: 4 * LOG_BYTES, processMetrics: false });
        const elapsedMs = nowMs() - startedMs;
        await relay.close();
        return elapsedMs;
      },
      jsonParse: async () => {
        const startedMs = nowMs();
        parseLinesFloor(await readFile(livePath, 'utf8'));
        return nowMs() - startedMs;
      },
    });

    const exporterMs = median(results.exporter);
    const floorMs = median(results.jsonParse);
    const megabytes = (log.bytes / 1e6).toFixed(1);
    return [
      {
        name: `start-up replay of a ${megabytes} MB live log (${log.lines.toLocaleString('en-US')} records)`,
        figure: exporterMs,
        unit: 'ms',
        baselineName: 'readFile + JSON.parse of each line',
        baseline: floorMs,
        ratio: exporterMs / floorMs,
        ratioLabel: 'x floor',
        note: `median of ${ROUNDS} rounds; time of createRelayMetrics without a checkpoint, so the whole log is replayed`,
        target: '<= 2x floor',
        met: exporterMs / floorMs <= 2,
      },
    ];
  });
}

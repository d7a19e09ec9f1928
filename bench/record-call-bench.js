// recordCall in a burst of concurrent calls and one call at a time, against
// the naive writer; and the sink's metric updates against prom-client's label API.
import { join } from 'node:path';
import { createRelayMetrics } from '../dist/relay.js';
import { PrometheusSink } from '../dist/metrics/prometheus-sink.js';
import { normalizeCallRecord } from '../dist/record/normalize.js';
import { createNaiveWriter, createPromClientFloor } from './baselines.js';
import { countLines, interleave, makeRecords, median, nowMs, withTempDir } from './support.js';

const BURST_RECORDS = 100_000;
// The naive writer opens the file once per record, so 100,000 concurrent calls
// run out of file descriptors (EMFILE) and lose most lines. Its throughput is
// measured at a burst it survives; one run at the full burst counts its losses.
const NAIVE_BURST_RECORDS = 10_000;
const SEQUENTIAL_RECORDS = 20_000;
const METRICS_RECORDS = 200_000;
const ROUNDS = 3;

/** Times one burst of `records` concurrent calls and checks that each line reached the file. */
async function burstOnce(dir, records, start, close, path) {
  const startedMs = nowMs();
  const startedCpu = process.cpuUsage();
  const results = await Promise.all(records.map((record) => start(record)));
  const elapsedMs = nowMs() - startedMs;
  const cpu = process.cpuUsage(startedCpu);
  await close();

  const failed = results.filter((result) => result !== undefined && result.ok === false).length;
  const lines = await countLines(path);
  // CPU time (all threads of this process, the collector's included) shows the
  // cost per record apart from how much of the shared machine the run got.
  const cpuMicrosPerRecord = (cpu.user + cpu.system) / records.length;
  return { recordsPerSecond: (records.length / elapsedMs) * 1000, cpuMicrosPerRecord, lost: records.length - lines, failed };
}

async function exporterBurst(samples, round) {
  return withTempDir(`burst-${round}`, async (dir) => {
    const relay = await createRelayMetrics({ dataDir: dir });
    const records = makeRecords(samples, BURST_RECORDS);
    return burstOnce(dir, records, (record) => relay.recordCall(record), () => relay.close(), relay.auditLog.livePath);
  });
}

async function naiveBurst(samples, round, count = NAIVE_BURST_RECORDS) {
  return withTempDir(`naive-burst-${round}`, async (dir) => {
    const path = join(dir, 'audit.ndjson');
    const write = createNaiveWriter(path);
    const records = makeRecords(samples, count);
    // A failed appendFile (EMFILE when too many files are open) is counted as a loss, not thrown.
    const settle = (record) => write(record).then(
      () => undefined,
      () => ({ ok: false }),
    );
    return burstOnce(dir, records, settle, async () => {}, path);
  });
}

async function exporterSequential(samples, round) {
  return withTempDir(`seq-${round}`, async (dir) => {
    const relay = await createRelayMetrics({ dataDir: dir });
    const records = makeRecords(samples, SEQUENTIAL_RECORDS);
    const startedMs = nowMs();
    for (const record of records) await relay.recordCall(record);
    const elapsedMs = nowMs() - startedMs;
    await relay.close();
    const lost = SEQUENTIAL_RECORDS - (await countLines(relay.auditLog.livePath));
    return { recordsPerSecond: (SEQUENTIAL_RECORDS / elapsedMs) * 1000, lost };
  });
}

async function naiveSequential(samples, round) {
  return withTempDir(`naive-seq-${round}`, async (dir) => {
    const path = join(dir, 'audit.ndjson');
    const write = createNaiveWriter(path);
    const records = makeRecords(samples, SEQUENTIAL_RECORDS);
    const startedMs = nowMs();
    for (const record of records) await write(record);
    const elapsedMs = nowMs() - startedMs;
    const lost = SEQUENTIAL_RECORDS - (await countLines(path));
    return { recordsPerSecond: (SEQUENTIAL_RECORDS / elapsedMs) * 1000, lost };
  });
}

function normalizedCalls(samples, count) {
  return makeRecords(samples, count).map((record) => normalizeCallRecord(record, Date.now()));
}

function sinkUpdates(samples) {
  const sink = new PrometheusSink({ version: 'bench', processMetrics: false });
  const calls = normalizedCalls(samples, METRICS_RECORDS);
  const startedMs = nowMs();
  for (const normalized of calls) sink.apply(normalized.call, normalized.dropped);
  return ((nowMs() - startedMs) * 1000) / METRICS_RECORDS;
}

function promClientUpdates(samples) {
  const floor = createPromClientFloor();
  const calls = normalizedCalls(samples, METRICS_RECORDS);
  const startedMs = nowMs();
  for (const normalized of calls) floor.apply(normalized.call);
  return ((nowMs() - startedMs) * 1000) / METRICS_RECORDS;
}

export async function runRecordCallBenchmarks(samples) {
  const burst = await interleave(ROUNDS, {
    exporter: (round) => exporterBurst(samples, round),
    naive: (round) => naiveBurst(samples, round),
  });
  const naiveFullBurst = await naiveBurst(samples, 'full', BURST_RECORDS);
  const sequential = await interleave(ROUNDS, {
    exporter: (round) => exporterSequential(samples, round),
    naive: (round) => naiveSequential(samples, round),
  });
  const metrics = await interleave(ROUNDS, {
    exporter: async () => sinkUpdates(samples),
    promClient: async () => promClientUpdates(samples),
  });

  const burstRate = median(burst.exporter.map((result) => result.recordsPerSecond));
  const naiveBurstRate = median(burst.naive.map((result) => result.recordsPerSecond));
  const burstLost = Math.max(...burst.exporter.map((result) => result.lost + result.failed));
  const burstCpuMicros = median(burst.exporter.map((result) => result.cpuMicrosPerRecord));
  const naiveBurstCpuMicros = median(burst.naive.map((result) => result.cpuMicrosPerRecord));
  const naiveBurstLost = Math.max(...burst.naive.map((result) => result.lost));
  const naiveFullBurstLost = naiveFullBurst.lost;
  const sequentialRate = median(sequential.exporter.map((result) => result.recordsPerSecond));
  const naiveSequentialRate = median(sequential.naive.map((result) => result.recordsPerSecond));
  const sequentialLost = Math.max(...sequential.exporter.map((result) => result.lost));
  const sinkMicros = median(metrics.exporter);
  const promClientMicros = median(metrics.promClient);

  return [
    {
      name: `recordCall burst (${BURST_RECORDS.toLocaleString('en-US')} concurrent calls)`,
      figure: burstRate,
      unit: 'records/s',
      baselineName: `naive writer, appendFile per record, ${NAIVE_BURST_RECORDS.toLocaleString('en-US')} concurrent`,
      baseline: naiveBurstRate,
      ratio: burstRate / naiveBurstRate,
      note:
        `CPU time per record ${burstCpuMicros.toFixed(2)} µs (naive ${naiveBurstCpuMicros.toFixed(2)} µs); lines lost: exporter ${burstLost} (worst of ${ROUNDS} rounds), naive ${naiveBurstLost} at ` +
        `${NAIVE_BURST_RECORDS.toLocaleString('en-US')} concurrent and ${naiveFullBurstLost.toLocaleString('en-US')} ` +
        `at ${BURST_RECORDS.toLocaleString('en-US')} concurrent`,
      target: '>= 200,000 records/s, >= 20x naive, 0 lost',
      profileScenario: 'burst',
      met: burstRate >= 200_000 && burstRate / naiveBurstRate >= 20 && burstLost === 0,
    },
    {
      name: `recordCall sequential (${SEQUENTIAL_RECORDS.toLocaleString('en-US')} calls, each awaited)`,
      figure: sequentialRate,
      unit: 'records/s',
      baselineName: 'naive writer, appendFile per record',
      baseline: naiveSequentialRate,
      ratio: sequentialRate / naiveSequentialRate,
      note: `lines lost: exporter ${sequentialLost}`,
      target: '>= 10x naive',
      profileScenario: 'sequential',
      met: sequentialRate / naiveSequentialRate >= 10 && sequentialLost === 0,
    },
    {
      name: 'metric updates per record (PrometheusSink.apply)',
      figure: sinkMicros,
      unit: 'µs/record',
      baselineName: "prom-client label API, same updates",
      baseline: promClientMicros,
      ratio: promClientMicros / sinkMicros,
      ratioLabel: 'speed-up',
      note: `${METRICS_RECORDS.toLocaleString('en-US')} records`,
      target: 'none (context)',
      met: undefined,
    },
  ];
}

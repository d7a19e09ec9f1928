// Time to render /metrics (prom-client's Registry.metrics()) at the sample
// log's series count and at 50,000 series, against prom-client's own
// counters and histograms holding the same series.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIVE_LOG_NAME } from '../dist/audit/log-files.js';
import { normalizeCallRecord } from '../dist/record/normalize.js';
import { createRelayMetrics } from '../dist/relay.js';
import { createPromClientFloor } from './baselines.js';
import { collectGarbage, median, nowMs, SAMPLE_PATH, withTempDir } from './support.js';

const RENDERS = 40;
const TARGET_SERIES = 50_000;

/** Counts exposition sample lines: each is one time series as Prometheus stores it. */
function countSampleLines(text) {
  let count = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) count += 1;
  return count;
}

/** Renders both registries `RENDERS` times, alternating, and returns the median milliseconds of each. */
async function timeRenders(exporterRegistry, floorRegistry) {
  const exporterMs = [];
  const floorMs = [];
  // The first render of each is left out: it compiles the formatting code and fills prom-client's label cache.
  await exporterRegistry.metrics();
  await floorRegistry.metrics();
  collectGarbage();

  for (let render = 0; render < RENDERS; render += 1) {
    let startedMs = nowMs();
    await exporterRegistry.metrics();
    exporterMs.push(nowMs() - startedMs);

    startedMs = nowMs();
    await floorRegistry.metrics();
    floorMs.push(nowMs() - startedMs);
  }
  return { exporterMs: median(exporterMs), floorMs: median(floorMs) };
}

function applyToFloor(floor, records) {
  for (const record of records) {
    const normalized = normalizeCallRecord(record, Date.now());
    if (normalized.ok) floor.apply(normalized.call);
  }
}

async function sampleScrape(samples) {
  return withTempDir('scrape-sample', async (dir) => {
    await copyFile(SAMPLE_PATH, join(dir, LIVE_LOG_NAME));
    const relay = await createRelayMetrics({ dataDir: dir, tierPricesUsd: { core: 0, pro: 12, max: 39 } });
    const floor = createPromClientFloor({ processMetrics: true });
    applyToFloor(floor, samples);

    const series = countSampleLines(await relay.registry.metrics());
    const floorSeries = countSampleLines(await floor.registry.metrics());
    const times = await timeRenders(relay.registry, floor.registry);
    await relay.close();
    return { ...times, series, floorSeries };
  });
}

/**
 * Builds records over many model names so the per-call families reach about
 * `TARGET_SERIES` exposition lines: each (tier, pipeline, model, status)
 * combination adds about 88 lines (counters, token totals and four histograms).
 */
function manySeriesRecords(samples) {
  const template = samples.find((record) => record.cost_usd !== undefined && record.duration_ms !== undefined);
  const tiers = ['core', 'pro', 'max'];
  const pipelines = ['transcribe', 'analyze'];
  const statuses = ['success', 'partial'];
  const combinationsPerModel = tiers.length * pipelines.length * statuses.length;
  const models = Math.ceil(TARGET_SERIES / 88 / combinationsPerModel);

  const records = [];
  for (let model = 0; model < models; model += 1) {
    for (const tier of tiers) {
      for (const pipeline of pipelines) {
        for (const status of statuses) {
          records.push({ ...template, tier, pipeline, status, model: `bench-model-${model}`, error: undefined });
        }
      }
    }
  }
  return { records, models };
}

async function manySeriesScrape(samples) {
  return withTempDir('scrape-many', async (dir) => {
    const { records, models } = manySeriesRecords(samples);
    const relay = await createRelayMetrics({ dataDir: dir, maxModels: models, processMetrics: false });
    await Promise.all(records.map((record) => relay.recordCall(record)));
    const floor = createPromClientFloor();
    applyToFloor(floor, records);

    const series = countSampleLines(await relay.registry.metrics());
    const floorSeries = countSampleLines(await floor.registry.metrics());
    const times = await timeRenders(relay.registry, floor.registry);
    await relay.close();
    return { ...times, series, floorSeries, combinations: records.length };
  });
}

export async function runScrapeBenchmarks(samples) {
  const sample = await sampleScrape(samples);
  const many = await manySeriesScrape(samples);

  return [
    {
      name: `/metrics render, sample log (${sample.series.toLocaleString('en-US')} series)`,
      figure: sample.exporterMs,
      unit: 'ms',
      baselineName: `prom-client Counter/Histogram, same calls (${sample.floorSeries.toLocaleString('en-US')} series)`,
      baseline: sample.floorMs,
      ratio: sample.floorMs / sample.exporterMs,
      ratioLabel: 'speed-up',
      note: `median of ${RENDERS} renders; series = exposition sample lines; both registries include the process metrics, only the exporter's the self-metrics`,
      target: '< 5 ms',
      met: sample.exporterMs < 5,
    },
    {
      name: `/metrics render, ${many.series.toLocaleString('en-US')} series`,
      figure: many.exporterMs,
      unit: 'ms',
      baselineName: `prom-client Counter/Histogram, same calls (${many.floorSeries.toLocaleString('en-US')} series)`,
      baseline: many.floorMs,
      ratio: many.floorMs / many.exporterMs,
      ratioLabel: 'speed-up',
      note: `median of ${RENDERS} renders; ${many.combinations} label combinations; series = exposition sample lines`,
      target: '< 150 ms',
      met: many.exporterMs < 150,
    },
  ];
}

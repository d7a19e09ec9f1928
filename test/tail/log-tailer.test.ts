import { appendFile, copyFile, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PrometheusSink } from '../../src/metrics/prometheus-sink.js';
import { createTailMetrics } from '../../src/metrics/tail-metrics.js';
import { LogTailer, type LogTailerOptions } from '../../src/tail/log-tailer.js';
import { sumFamily } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const running: LogTailer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((tailer) => tailer.stop()));
});

let nextJob = 0;
/** Returns NDJSON lines of distinct records, each costing 0.01 × its number in US dollars. */
function lines(count: number): { text: string; costUsd: number } {
  let text = '';
  let costUsd = 0;
  for (let index = 0; index < count; index += 1) {
    nextJob += 1;
    const cost = nextJob / 100;
    text += `${JSON.stringify({ ts: 1_796_000_000_000 + nextJob, job_id: `job-${nextJob}`, tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'm', status: 'success', cost_usd: cost })}\n`;
    costUsd += cost;
  }
  return { text, costUsd };
}

class Expected {
  calls = 0;
  costUsd = 0;
  add(batch: { text: string; costUsd: number }): string {
    this.calls += batch.text.split('\n').length - 1;
    this.costUsd += batch.costUsd;
    return batch.text;
  }
}

async function startTailer(path: string, options: Partial<LogTailerOptions> = {}): Promise<{ tailer: LogTailer; sink: PrometheusSink }> {
  const sink = new PrometheusSink({ version: 'test', processMetrics: false });
  const tailer = await LogTailer.start({
    path,
    sink,
    watch: false,
    pollIntervalMs: 60_000,
    hooks: createTailMetrics(sink.registry),
    ...options,
  });
  running.push(tailer);
  return { tailer, sink };
}

async function expectTotals(sink: PrometheusSink, expected: Expected): Promise<string> {
  const exposition = await sink.registry.metrics();
  expect(sumFamily(exposition, 'relay_calls_total')).toBe(expected.calls);
  expect(sumFamily(exposition, 'relay_cost_usd_total')).toBeCloseTo(expected.costUsd, 6);
  return exposition;
}

describe('LogTailer', () => {
  it('reads from the start, then appended lines', async () => {
    const path = join(await makeTempDir(), 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(3)));
    const { tailer, sink } = await startTailer(path);
    await expectTotals(sink, expected);

    await appendFile(path, expected.add(lines(2)));
    await tailer.poll();
    const exposition = await expectTotals(sink, expected);
    expect(sumFamily(exposition, 'relay_tail_lines_total')).toBe(5);
    expect(sumFamily(exposition, 'relay_tail_position_bytes')).toBe((await readFile(path)).length);
  });

  it('finishes the old file and starts the new one after a rename rotation', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(3)));
    const { tailer, sink } = await startTailer(path);

    await appendFile(path, expected.add(lines(2)));
    await rename(path, join(dir, 'relay-calls-2026-12-04.ndjson'));
    await tailer.poll();
    await expectTotals(sink, expected);

    await writeFile(path, expected.add(lines(4)));
    await tailer.poll();
    const exposition = await expectTotals(sink, expected);
    expect(sumFamily(exposition, 'relay_tail_rotations_total')).toBe(1);
  });

  it('starts again at 0 after copy-and-truncate', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(4)));
    const { tailer, sink } = await startTailer(path);

    await copyFile(path, join(dir, 'relay-calls.ndjson.1'));
    await truncate(path, 0);
    await appendFile(path, expected.add(lines(1)));
    await tailer.poll();
    const exposition = await expectTotals(sink, expected);
    expect(sumFamily(exposition, 'relay_tail_truncations_total')).toBe(1);
  });

  it('keeps counters through a clear and reads what follows', async () => {
    const path = join(await makeTempDir(), 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(3)));
    const { tailer, sink } = await startTailer(path);

    await truncate(path, 0);
    await tailer.poll();
    await expectTotals(sink, expected);

    await appendFile(path, expected.add(lines(2)));
    await tailer.poll();
    await expectTotals(sink, expected);
  });

  it('counts no record twice after a delete by job id rewrote the file', async () => {
    const dataDir = await makeTempDir();
    const log = await AuditLog.open({ dataDir });
    const expected = new Expected();
    const append = async (count: number) => {
      for (const line of expected.add(lines(count)).split('\n').slice(0, -1)) await log.append(`${line}\n`);
    };

    await append(5);
    const { tailer, sink } = await startTailer(log.livePath);
    await append(2);
    expect(await log.deleteByJobIds([`job-${nextJob - 6}`, `job-${nextJob}`])).toEqual({ deleted: 2 });
    await append(3);
    await tailer.poll();
    const exposition = await expectTotals(sink, expected);
    expect(sumFamily(exposition, 'relay_tail_replacements_total')).toBe(1);

    await log.clearAll();
    await append(1);
    await tailer.poll();
    await expectTotals(sink, expected);
    await log.close();
  });

  it('waits for a final line without its newline', async () => {
    const path = join(await makeTempDir(), 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(2)));
    const { tailer, sink } = await startTailer(path);

    const next = expected.add(lines(1));
    await appendFile(path, next.slice(0, 20));
    await tailer.poll();
    const partial = await sink.registry.metrics();
    expect(sumFamily(partial, 'relay_calls_total')).toBe(2);
    expect(sumFamily(partial, 'relay_tail_bad_lines_total')).toBe(0);

    await appendFile(path, next.slice(20));
    await tailer.poll();
    await expectTotals(sink, expected);
  });

  it('continues mid-file after a restart with its position file', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relay-calls.ndjson');
    const statePath = join(dir, 'tail-state.json');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(4)));
    const first = await startTailer(path, { statePath });
    await appendFile(path, expected.add(lines(1)));
    await first.tailer.poll();
    await first.tailer.stop();

    await appendFile(path, expected.add(lines(3)));
    const second = await startTailer(path, { statePath });
    await expectTotals(second.sink, expected);
  });

  it('reads the rest of the archive after a rotation while stopped', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relay-calls.ndjson');
    const statePath = join(dir, 'tail-state.json');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(4)));
    const first = await startTailer(path, { statePath });
    await first.tailer.stop();

    await appendFile(path, expected.add(lines(2)));
    await rename(path, join(dir, 'relay-calls-2026-12-04.ndjson'));
    await writeFile(path, expected.add(lines(3)));
    const second = await startTailer(path, { statePath });
    await expectTotals(second.sink, expected);
  });

  it('follows by itself with the timer and fs.watch', async () => {
    const path = join(await makeTempDir(), 'relay-calls.ndjson');
    const expected = new Expected();
    await writeFile(path, expected.add(lines(1)));
    const { sink } = await startTailer(path, { watch: true, pollIntervalMs: 50 });

    await appendFile(path, expected.add(lines(2)));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (sumFamily(await sink.registry.metrics(), 'relay_calls_total') === expected.calls) break;
      await sleep(20);
    }
    await expectTotals(sink, expected);
  });
});

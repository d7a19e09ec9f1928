import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_NAME } from '../../src/audit/checkpoint.js';
import { listLogFiles } from '../../src/audit/log-files.js';
import { readLogRecords, sumField } from '../support/log-contents.js';
import { CLI_PATH, startService, sumFamily, type RunningService } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

const KILLS = 50;
const INGEST_CLIENTS = 3;
// Small enough that the stream rotates the live log many times over the run.
const SERVE_ARGS = ['--rotate-bytes', '16384', '--checkpoint-interval-ms', '40', '--log-level', 'warn'];

interface StreamState {
  nextJob: number;
  acknowledged: Map<string, number>;
  /** Requests sent that never got a response, because the kill came while they were in flight. */
  interrupted: number;
  stopped: boolean;
}

function nextBody(state: StreamState): { body: string; records: Array<{ job_id: string; cost_usd: number }> } {
  const count = 1 + (state.nextJob % 4);
  const records = Array.from({ length: count }, () => {
    state.nextJob += 1;
    return {
      job_id: `job-${state.nextJob}`,
      tier: ['core', 'pro', 'max'][state.nextJob % 3],
      pipeline: 'transcribe',
      backend: 'gemini',
      model: `model-${state.nextJob % 4}`,
      status: 'success',
      cost_usd: (state.nextJob % 97) / 1000,
      duration_ms: state.nextJob % 5000,
    };
  });
  return { body: records.map((record) => JSON.stringify(record)).join('\n'), records };
}

async function ingestUntilKilled(url: string, state: StreamState): Promise<void> {
  while (!state.stopped) {
    const { body, records } = nextBody(state);
    let response: Response;
    try {
      response = await fetch(`${url}/v1/calls`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    } catch {
      state.interrupted += 1;
      return;
    }
    if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    for (const record of records) state.acknowledged.set(record.job_id, record.cost_usd);
  }
}

/** Checks every log line but the live file's last one is whole JSON, and returns whether that last one is torn. */
async function checkLinesWhole(dataDir: string): Promise<{ tornLast: boolean }> {
  const files = await listLogFiles(dataDir);
  let tornLast = false;
  for (const path of files) {
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    const last = lines.pop()!;
    for (const line of lines) expect(() => {
        JSON.parse(line);
      }, `${path}: ${line}`).not.toThrow();
    if (last !== '') {
      expect(path, 'only the live file may end in a torn line').toBe(files[files.length - 1]);
      tornLast = true;
    }
  }
  return { tornLast };
}

async function checkCountersEqualLog(service: RunningService, dataDir: string, state: StreamState): Promise<void> {
  const records = await readLogRecords(dataDir);
  const exposition = await (await fetch(`${service.url}/metrics`)).text();

  expect(sumFamily(exposition, 'relay_calls_total')).toBe(records.length);
  expect(sumFamily(exposition, 'relay_cost_usd_total')).toBeCloseTo(sumField(records, 'cost_usd'), 6);

  const inLog = new Set(records.map((record) => record.job_id));
  const missing = [...state.acknowledged.keys()].filter((jobId) => !inLog.has(jobId));
  expect(missing).toEqual([]);
}

describe('relay-metrics serve killed with SIGKILL during ingest', () => {
  it(`keeps acknowledged records and counters over ${KILLS} kills`, async () => {
    const dataDir = await makeTempDir();
    const state: StreamState = { nextJob: 0, acknowledged: new Map(), interrupted: 0, stopped: false };
    let tornTails = 0;

    for (let kill = 0; kill < KILLS; kill += 1) {
      const service = await startService(['--data-dir', dataDir, ...SERVE_ARGS]);
      await checkCountersEqualLog(service, dataDir, state);

      state.stopped = false;
      const clients = Array.from({ length: INGEST_CLIENTS }, () => ingestUntilKilled(service.url, state));
      await sleep(10 + Math.floor(Math.random() * 100));
      await service.stop('SIGKILL');
      state.stopped = true;
      await Promise.all(clients);

      if ((await checkLinesWhole(dataDir)).tornLast) tornTails += 1;
    }

    const final = await startService(['--data-dir', dataDir, ...SERVE_ARGS]);
    await checkCountersEqualLog(final, dataDir, state);
    expect(await checkLinesWhole(dataDir)).toEqual({ tornLast: false });
    expect((await readdir(dataDir)).filter((name) => name.startsWith(`${CHECKPOINT_NAME}.tmp-`))).toEqual([]);
    expect(await final.stop()).toBe(0);

    expect(state.acknowledged.size).toBeGreaterThan(KILLS);
    expect(state.interrupted, 'kills that landed while requests were in flight').toBeGreaterThan(KILLS / 2);
    expect((await listLogFiles(dataDir)).length, 'rotations during the run').toBeGreaterThan(2);
    console.log(`sigkill run: ${state.acknowledged.size} acknowledged records, ${state.interrupted} interrupted requests, ${tornTails} torn tails`);
    // Each kill costs about 0.7 s, most of it Node starting the CLI.
  }, 150_000);

  it('makes a second process exit naming the holder, leaving the checkpoint alone', async () => {
    const dataDir = await makeTempDir();
    const first = await startService(['--data-dir', dataDir, '--checkpoint-interval-ms', '0']);
    const checkpointBefore = await readFile(join(dataDir, CHECKPOINT_NAME), 'utf8');

    const second = spawnSync(process.execPath, [CLI_PATH, 'serve', '--data-dir', dataDir, '--port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`data directory is in use by pid ${first.child.pid} on host`);
    expect(second.stderr).toContain('relay-metrics.lock');
    expect(await readFile(join(dataDir, CHECKPOINT_NAME), 'utf8')).toBe(checkpointBefore);
    expect(await first.stop()).toBe(0);
  });
});

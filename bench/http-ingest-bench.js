// HTTP ingest: the built service (`relay-metrics serve`) under load from a
// second process on loopback, against a bare node:http server that only
// parses the same bodies. NDJSON batches and single-record requests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIVE_LOG_NAME } from '../dist/audit/log-files.js';
import { countLines, freePort, interleave, median, ROOT_DIR, waitForHttp, withTempDir } from './support.js';

const ROUNDS = 2;
const BATCH_RECORDS = 1000;

const LOADS = {
  ndjson: {
    label: `NDJSON batches of ${BATCH_RECORDS.toLocaleString('en-US')} records`,
    contentType: 'application/x-ndjson',
    requests: 150,
    concurrency: 4,
    maxSeconds: 25,
  },
  single: {
    label: 'single-record JSON requests',
    contentType: 'application/json',
    requests: 10_000,
    concurrency: 32,
    maxSeconds: 20,
  },
};

function makeBodies(samples, mode) {
  if (mode === 'single') return samples.slice(0, 500).map((record) => ({ text: JSON.stringify(record) }));

  const bodies = [];
  for (let body = 0; body < 10; body += 1) {
    const lines = [];
    for (let line = 0; line < BATCH_RECORDS; line += 1) lines.push(JSON.stringify(samples[(body * BATCH_RECORDS + line) % samples.length]));
    bodies.push({ text: `${lines.join('\n')}\n` });
  }
  return bodies;
}

async function startServer(kind, dataDir) {
  const port = await freePort();
  const args =
    kind === 'exporter'
      ? [join(ROOT_DIR, 'dist/cli/main.js'), 'serve', '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn', '--max-body-bytes', String(16 * 1024 * 1024)]
      : [join(ROOT_DIR, 'bench/http-floor-server.js'), String(port)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, url: `http://127.0.0.1:${port}/v1/calls` };
}

async function stopServer(child) {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function runLoad(url, bodiesPath, load) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT_DIR, 'bench/http-load.js'),
      '--url', url,
      '--bodies', bodiesPath,
      '--content-type', load.contentType,
      '--requests', String(load.requests),
      '--concurrency', String(load.concurrency),
      '--max-seconds', String(load.maxSeconds),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const [exitCode] = await once(child, 'exit');
  if (exitCode !== 0) throw new Error(`load generator exited with ${exitCode}`);
  return JSON.parse(output);
}

async function oneRun(kind, mode, dir, round, bodiesPath) {
  const dataDir = join(dir, `${kind}-${mode}-${round}`);
  await mkdir(dataDir);
  const server = await startServer(kind, dataDir);
  let result;
  try {
    result = await runLoad(server.url, bodiesPath, LOADS[mode]);
  } finally {
    await stopServer(server.child);
  }

  const lost = kind === 'exporter' ? result.records - (await countLines(join(dataDir, LIVE_LOG_NAME))) : 0;
  return { ...result, lost, recordsPerSecond: (result.records / result.elapsedMs) * 1000 };
}

function summarize(mode, results) {
  const load = LOADS[mode];
  const rate = median(results.exporter.map((result) => result.recordsPerSecond));
  const floorRate = median(results.floor.map((result) => result.recordsPerSecond));
  const p99Ms = median(results.exporter.map((result) => result.p99Ms));
  const floorP99Ms = median(results.floor.map((result) => result.p99Ms));
  const failures = Math.max(...results.exporter.map((result) => result.failures));
  const lost = Math.max(...results.exporter.map((result) => result.lost));
  const requests = median(results.exporter.map((result) => result.requests));

  return {
    name: `HTTP ingest, ${load.label}`,
    figure: rate,
    unit: 'records/s',
    baselineName: 'bare node:http server parsing the same bodies',
    baseline: floorRate,
    ratio: rate / floorRate,
    note:
      `p99 latency ${p99Ms.toFixed(1)} ms (baseline ${floorP99Ms.toFixed(1)} ms); ${requests} requests, ` +
      `${load.concurrency} in flight; failed requests ${failures}, lines lost ${lost}` +
      (results.exporter[0].firstFailure ? `; first failure: ${results.exporter[0].firstFailure}` : ''),
    target: mode === 'ndjson' ? '>= 50,000 records/s' : 'none (context)',
    met: mode === 'ndjson' ? rate >= 50_000 && lost === 0 && failures === 0 : undefined,
  };
}

export async function runHttpIngestBenchmarks(samples) {
  return withTempDir('http', async (dir) => {
    const rows = [];
    for (const mode of ['ndjson', 'single']) {
      const bodiesPath = join(dir, `${mode}-bodies.json`);
      await writeFile(bodiesPath, JSON.stringify(makeBodies(samples, mode)));
      const results = await interleave(ROUNDS, {
        exporter: (round) => oneRun('exporter', mode, dir, round, bodiesPath),
        floor: (round) => oneRun('floor', mode, dir, round, bodiesPath),
      });
      rows.push(summarize(mode, results));
    }
    return rows;
  });
}

// Helpers shared by the benchmarks: sample records, temporary directories,
// timing, and counting lines of a written log.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE_PATH = join(ROOT_DIR, 'examples', 'relay-calls.sample.ndjson');

/** Loads the sample log's valid records, so every benchmark feeds realistic shapes. */
export async function loadSampleRecords() {
  const text = await readFile(SAMPLE_PATH, 'utf8');
  const records = [];
  for (const line of text.split('\n')) {
    try {
      const value = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) records.push(value);
    } catch {
      // The sample contains a few damaged lines on purpose; they are not records.
    }
  }
  return records;
}

/**
 * Returns `count` fresh record objects cycled from `samples`. Each is a new
 * object because the relay hands a new object to every call.
 */
export function makeRecords(samples, count) {
  const records = new Array(count);
  for (let index = 0; index < count; index += 1) records[index] = { ...samples[index % samples.length] };
  return records;
}

/** Creates a temporary directory, runs `work` in it and removes it whatever happens. */
export async function withTempDir(prefix, work) {
  const dir = await mkdtemp(join(tmpdir(), `relay-bench-${prefix}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Counts newline characters in a file without holding it in memory. */
export async function countLines(path) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  let position = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return lines;
      position += bytesRead;
      let index = buffer.indexOf(0x0a, 0);
      while (index !== -1 && index < bytesRead) {
        lines += 1;
        index = buffer.indexOf(0x0a, index + 1);
      }
    }
  } finally {
    await handle.close();
  }
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * Runs `rounds` rounds of each named task, alternating between them, and
 * returns each task's results in order. Alternating spreads the noise of a
 * shared machine over both sides of a comparison instead of one.
 */
export async function interleave(rounds, tasks) {
  const results = Object.fromEntries(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const names = Object.keys(tasks);
    if (round % 2 === 1) names.reverse();
    for (const name of names) {
      collectGarbage();
      results[name].push(await tasks[name](round));
    }
  }
  return results;
}

/** Runs a full collection when node was started with --expose-gc, so one task's garbage is not billed to the next. */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it responds with 200 or `timeoutMs` passes. */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not respond with 200 within ${timeoutMs} ms`);
}

/** Formats a number with a fixed count of significant digits for the report. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

// Catch-up speed of `relay-metrics tail` against mtail on the same file.
//
// Builds a 1,000,000-line call log from the bundled sample's valid lines,
// then times, in one run, LogTailer (from dist/) and mtail --one_shot with
// bench/relay-calls.mtail, each reading the file from its start to its end.
// Each tool runs ROUNDS times, alternating, and every run is checked to have
// counted every line. Results go to the "Tail" section of BENCHMARKS.md.
//
// Usage: npm run build && node bench/tail-bench.mjs [lines]
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogTailer, PrometheusSink } from '../dist/index.js';

// --no-write prints the section instead of writing it: bench/run.js writes
// BENCHMARKS.md whole and copies in what this script prints.
const WRITE_REPORT = !process.argv.includes('--no-write');
const LINES = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 1_000_000);
const ROUNDS = 2;
// mtail is killed after this long, so a hung run cannot block the benchmark.
const MTAIL_TIMEOUT_MS = 600_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_PATH = join(ROOT, 'examples/relay-calls.sample.ndjson');
const PROGRAM_PATH = join(ROOT, 'bench/relay-calls.mtail');
const REPORT_PATH = join(ROOT, 'BENCHMARKS.md');

async function buildLog(path) {
  const valid = (await readFile(SAMPLE_PATH, 'utf8')).split('\n').filter((line) => {
    try {
      const value = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  });

  const output = createWriteStream(path);
  let bytes = 0;
  for (let index = 0; index < LINES; index += 1) {
    const line = `${valid[index % valid.length]}\n`;
    bytes += Buffer.byteLength(line);
    if (!output.write(line)) await new Promise((resolve) => output.once('drain', resolve));
  }
  await new Promise((resolve, reject) => output.end((error) => (error ? reject(error) : resolve())));
  return bytes;
}

function sumFamily(exposition, family) {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function runRelayMetrics(path) {
  const sink = new PrometheusSink({ version: 'bench', processMetrics: false });
  const startedAt = process.hrtime.bigint();
  // start() returns once the file was read to its end.
  const tailer = await LogTailer.start({ path, sink, watch: false, pollIntervalMs: 3_600_000 });
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  await tailer.stop();
  return { seconds, calls: sumFamily(await sink.registry.metrics(), 'relay_calls_total') };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function runMtail(path) {
  const port = await freePort();
  const args = ['--progs', PROGRAM_PATH, '--logs', path, '--one_shot', '--one_shot_format', 'prometheus', '--address', '127.0.0.1', '--port', String(port), '--logtostderr'];
  const startedAt = process.hrtime.bigint();
  const child = spawn('mtail', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), MTAIL_TIMEOUT_MS);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  if (code !== 0) throw new Error(`mtail exited with ${code}:\n${stderr}`);
  return { seconds, calls: sumFamily(stdout, 'relay_calls_total') };
}

async function mtailVersion() {
  const child = spawn('mtail', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => child.once('exit', resolve));
  return output.split('\n')[0].trim();
}

function formatRun(name, run, bytes) {
  const linesPerSecond = Math.round(LINES / run.seconds).toLocaleString('en-US');
  const megabytesPerSecond = (bytes / 1e6 / run.seconds).toFixed(1);
  return `| ${name} | ${run.seconds.toFixed(2)} | ${linesPerSecond} | ${megabytesPerSecond} | ${run.calls.toLocaleString('en-US')} |`;
}

async function writeReport(section) {
  const existing = await readFile(REPORT_PATH, 'utf8').catch(() => '# Benchmarks\n');
  const start = existing.indexOf('## Tail');
  const next = start === -1 ? -1 : existing.indexOf('\n## ', start + 1);
  const before = start === -1 ? `${existing.trimEnd()}\n\n` : existing.slice(0, start);
  const after = next === -1 ? '' : existing.slice(next + 1);
  await writeFile(REPORT_PATH, `${before}${section}${after === '' ? '' : `\n${after}`}`);
}

const workDir = await mkdtemp(join(tmpdir(), 'relay-tail-bench-'));
try {
  const path = join(workDir, 'relay-calls.ndjson');
  const bytes = await buildLog(path);
  const rows = [];

  for (let round = 1; round <= ROUNDS; round += 1) {
    const ours = await runRelayMetrics(path);
    if (ours.calls !== LINES) throw new Error(`relay-metrics counted ${ours.calls} calls, expected ${LINES}`);
    rows.push(formatRun(`relay-metrics tail (LogTailer), run ${round}`, ours, bytes));

    const mtail = await runMtail(path);
    rows.push(formatRun(`mtail --one_shot, run ${round}`, mtail, bytes));
    if (WRITE_REPORT) console.log(rows.slice(-2).join('\n'));
  }

  const section = `## Tail

Catching up on a ${LINES.toLocaleString('en-US')}-line call log (${(bytes / 1e6).toFixed(0)} MB, the bundled sample's valid lines
repeated) from its start to its end. relay-metrics runs \`LogTailer.start\` in-process and parses
each line as JSON, then validates and applies it to every family (calls, cost, tokens, credits,
audio, three histograms, errors, active users). mtail runs \`bench/relay-calls.mtail\`, which
matches fields by regular expression and updates calls, cost, tokens and the duration histogram
only; its time includes process start and program compilation (well under a second on the sample).
The "counted" column is the sum of \`relay_calls_total\` after the run. mtail's speed depends on its
program: this one runs six regular expressions on each line, and no faster program was tried.

Command: \`npm run build && node bench/tail-bench.mjs\`

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${await mtailVersion()}.
Load average at the end of the run: ${loadavg().map((value) => value.toFixed(2)).join(', ')} (the machine was shared with other jobs).

| reader | seconds | lines/s | MB/s | counted |
|---|---|---|---|---|
${rows.join('\n')}
`;
  if (WRITE_REPORT) {
    await writeReport(section);
    console.log(`wrote the Tail section of ${REPORT_PATH}`);
  } else {
    console.log(section);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

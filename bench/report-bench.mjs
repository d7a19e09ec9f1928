// Benchmark of the streaming report against loading every record first.
//
//   npm run build && node bench/report-bench.mjs [--records 1000000]
//
// Generates a log of --records records (default 1,000,000, about 350 MB) from
// the bundled sample, with timestamps shifted back 30 days per copy and job ids
// made unique per copy, in a temporary directory. Each approach then runs in
// its own child process, so each peak RSS (process.resourceUsage().maxRSS)
// belongs to that approach alone:
//
//   stream    createReport over the log files, one accumulator, memory per group
//   load-all  readEntries() into one array, then aggregate(array), as the
//             original dashboard route did
//   json-parse  the parsing floor: each file read whole and JSON.parse run on
//             every line, with nothing kept
//
// The figures replace the "## Report" section of BENCHMARKS.md, unless
// --no-write is given. bench/run.js runs this script with --no-write, copies
// the section into the BENCHMARKS.md it writes, and reads the BENCH_ROWS line.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_PATH = join(REPO_ROOT, 'examples/relay-calls.sample.ndjson');
const BENCHMARKS_PATH = join(REPO_ROOT, 'BENCHMARKS.md');
const DAY_MS = 24 * 3600 * 1000;
const COPY_SHIFT_MS = 30 * DAY_MS;
// Archives are cut at the audit log's default rotation size, as a relay that ran this long would have them.
const ARCHIVE_BYTES = 50 * 1024 * 1024;
// Both children get the same heap limit, large enough that load-all can finish on a machine with the memory for it.
const HEAP_LIMIT_MB = 12_288;
const APPROACHES = ['stream', 'load-all', 'json-parse'];
// Targets for the streaming report, compared with the json-parse floor of the same run.
const MAX_FLOOR_RATIO = 2;
const MAX_PEAK_RSS_BYTES = 200 * 1e6;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    child: { type: 'string' },
    'data-dir': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

if (values.child !== undefined) {
  await runChild(values.child, values['data-dir']);
} else {
  await runParent(Number(values.records), !values['no-write']);
}

async function runChild(approach, dataDir) {
  const startedNs = process.hrtime.bigint();
  let summary;

  if (approach === 'stream') {
    const { createReport, DEFAULT_REPORT_LIMITS } = await import('../dist/report/stream-report.js');
    const report = await createReport({ dataDir, sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER, limits: DEFAULT_REPORT_LIMITS });
    summary = report.summary;
  } else if (approach === 'load-all') {
    const compat = await import('../dist/report/compat.js');
    const { silentLogger } = await import('../dist/logger.js');
    await compat.initAuditLog({ dataDir, logger: silentLogger, processMetrics: false });
    const entries = await compat.readEntries({ sinceMs: 0 });
    summary = compat.aggregate(entries).summary;
    await compat.closeAuditLog();
  } else if (approach === 'json-parse') {
    const { listLogFiles } = await import('../dist/audit/log-files.js');
    const { parseLinesFloor } = await import('./baselines.js');
    let calls = 0;
    for (const path of await listLogFiles(dataDir)) calls += parseLinesFloor(await readFile(path, 'utf8'));
    summary = { calls, total_summaries: undefined, total_cost_usd: undefined };
  } else {
    throw new Error(`unknown approach ${approach}; use one of ${APPROACHES.join(', ')}`);
  }

  const durationMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ approach, durationMs, peakRssBytes, calls: summary.calls, jobs: summary.total_summaries, costUsd: summary.total_cost_usd })}\n`);
}

async function runParent(recordCount, writeResults) {
  if (!Number.isSafeInteger(recordCount) || recordCount <= 0) throw new Error(`--records must be a positive whole number, got ${values.records}`);

  const dataDir = await mkdtemp(join(tmpdir(), 'relay-report-bench-'));
  try {
    const log = await generateLog(dataDir, recordCount);
    process.stderr.write(`generated ${recordCount} records, ${(log.bytes / 1e6).toFixed(0)} MB in ${log.files} files\n`);

    const results = [];
    for (const approach of APPROACHES) {
      const result = await runApproach(approach, dataDir);
      process.stderr.write(`${approach}: ${(result.durationMs / 1000).toFixed(2)} s, peak RSS ${(result.peakRssBytes / 1e6).toFixed(0)} MB\n`);
      results.push(result);
    }

    if (results.some((result) => result.calls !== recordCount)) {
      throw new Error(`an approach saw the wrong number of records: ${JSON.stringify(results)}`);
    }
    process.stdout.write(`BENCH_ROWS ${JSON.stringify([targetRow(recordCount, results)])}\n`);
    if (Math.abs(results[0].costUsd - results[1].costUsd) > 1e-6) {
      throw new Error(`the approaches disagree on total cost: ${JSON.stringify(results)}`);
    }

    const section = formatSection(recordCount, log, results);
    process.stdout.write(`${section}\n`);
    if (writeResults) await writeSection(section);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function generateLog(dataDir, recordCount) {
  const sample = (await readFile(SAMPLE_PATH, 'utf8'))
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    })
    .filter((value) => typeof value === 'object' && value !== null && typeof value.ts === 'number');

  const copies = Math.ceil(recordCount / sample.length);
  let written = 0;
  let bytes = 0;
  let files = 0;
  let output;
  let outputBytes = 0;

  // Oldest copy first, so the files hold records in the order a relay wrote them.
  for (let copy = copies - 1; copy >= 0 && written < recordCount; copy -= 1) {
    const lines = [];
    for (const record of sample) {
      if (written === recordCount) break;
      const shifted = { ...record, ts: record.ts - copy * COPY_SHIFT_MS };
      if (typeof record.job_id === 'string') shifted.job_id = `${record.job_id}-${copy}`;
      lines.push(JSON.stringify(shifted));
      written += 1;
    }

    const chunk = `${lines.join('\n')}\n`;
    if (output === undefined || outputBytes >= ARCHIVE_BYTES) {
      if (output !== undefined) await closeStream(output);
      files += 1;
      const day = new Date(sample[0].ts - copy * COPY_SHIFT_MS).toISOString().slice(0, 10);
      output = createWriteStream(join(dataDir, `relay-calls-${day}.${files}.ndjson`));
      outputBytes = 0;
    }
    if (!output.write(chunk)) await once(output, 'drain');
    outputBytes += Buffer.byteLength(chunk);
    bytes += Buffer.byteLength(chunk);
  }
  await closeStream(output);

  // An empty live log: the load-all approach opens the directory, and opening replays the live log into metrics.
  await writeFile(join(dataDir, 'relay-calls.ndjson'), '', { mode: 0o600 });
  return { bytes, files, copies };
}

async function closeStream(stream) {
  stream.end();
  await once(stream, 'finish');
}

function runApproach(approach, dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${HEAP_LIMIT_MB}`, fileURLToPath(import.meta.url), '--child', approach, '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${approach} child exited with ${code ?? signal}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}

/** The streaming report's row for bench/run.js: its time against the json-parse floor, and its peak RSS. */
function targetRow(recordCount, results) {
  const [stream, loadAll, floor] = results;
  const ratio = stream.durationMs / floor.durationMs;
  return {
    name: `report over ${recordCount.toLocaleString('en-US')} records (createReport, streaming)`,
    figure: stream.durationMs,
    unit: 'ms',
    baselineName: 'JSON.parse of every line',
    baseline: floor.durationMs,
    ratio,
    ratioLabel: 'x floor',
    note:
      `peak RSS ${(stream.peakRssBytes / 1e6).toFixed(0)} MB (floor ${(floor.peakRssBytes / 1e6).toFixed(0)} MB); ` +
      `load-all ${(loadAll.durationMs / 1000).toFixed(2)} s and ${(loadAll.peakRssBytes / 1e6).toFixed(0)} MB; one run each`,
    target: `<= ${MAX_FLOOR_RATIO}x floor, peak RSS < ${MAX_PEAK_RSS_BYTES / 1e6} MB`,
    met: ratio <= MAX_FLOOR_RATIO && stream.peakRssBytes < MAX_PEAK_RSS_BYTES,
  };
}

function machineDescription() {
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
  const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  // Other work on the machine slows both approaches, and the load average shows how much.
  const load = loadavg().map((value) => value.toFixed(1)).join(', ');
  return `${cpuModel}, ${cores} cores (nproc), Node.js ${process.version}, ${process.platform} ${process.arch}; load average ${load} at the end of the run`;
}

function formatSection(recordCount, log, results) {
  const rows = results.map((result) => {
    const seconds = result.durationMs / 1000;
    const rate = Math.round(recordCount / seconds).toLocaleString('en-US');
    return `| ${result.approach} | ${seconds.toFixed(2)} | ${(result.peakRssBytes / 1e6).toFixed(0)} | ${rate} |`;
  });
  const [stream, loadAll, floor] = results;

  return [
    '## Report',
    '',
    `The streaming report against loading every record and then aggregating, over ${recordCount.toLocaleString('en-US')} records`,
    `(${(log.bytes / 1e6).toFixed(0)} MB in ${log.files} archives of up to 50 MiB) generated from the bundled sample. Each approach`,
    `ran once, in its own child process with \`--max-old-space-size=${HEAP_LIMIT_MB}\`; peak RSS is that process's`,
    '`process.resourceUsage().maxRSS`. The two report approaches produced the same totals.',
    '',
    '| approach | time (s) | peak RSS (MB) | records/s |',
    '|---|---|---|---|',
    ...rows,
    '',
    `The streaming report took ${(stream.durationMs / floor.durationMs).toFixed(2)}× the time of json-parse, which only parses each line.`,
    `Peak memory of the streaming report is ${(loadAll.peakRssBytes / stream.peakRssBytes).toFixed(1)}× lower: it keeps one entry per`,
    `install, license, model, error signature and job instead of every record. The ${stream.jobs.toLocaleString('en-US')} jobs are`,
    'most of it, because a job\'s calls can be far apart in the log. Both approaches parse every line with',
    '`JSON.parse`, the largest cost in a CPU profile of the streaming run, so their times are close.',
    '',
    `- Command: \`npm run build && node bench/report-bench.mjs --records ${recordCount}\``,
    `- Machine: ${machineDescription()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
  ].join('\n');
}

async function writeSection(section) {
  let text = '';
  try {
    text = await readFile(BENCHMARKS_PATH, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    text = '# Benchmarks\n\n';
  }

  const start = text.search(/^## Report$/m);
  if (start === -1) {
    await writeFile(BENCHMARKS_PATH, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.slice(start + 1).search(/^## /m);
  const end = next === -1 ? text.length : start + 1 + next;
  await writeFile(BENCHMARKS_PATH, `${text.slice(0, start)}${section}${next === -1 ? '' : '\n'}${text.slice(end)}`);
}

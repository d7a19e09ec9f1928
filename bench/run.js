// Runs every benchmark and writes BENCHMARKS.md: each figure beside its
// baseline from the same run, the ratio, the target, the command and the machine.
// Usage: npm run bench (builds first), or node --expose-gc bench/run.js [--only NAME,...]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runHttpIngestBenchmarks } from './http-ingest-bench.js';
import { runRecordCallBenchmarks } from './record-call-bench.js';
import { runReplayBenchmarks } from './replay-bench.js';
import { runScrapeBenchmarks } from './scrape-bench.js';
import { runWriteCallBenchmarks } from './write-call-bench.js';
import { summarizeProfile } from './profile-summary.js';
import { formatNumber, loadSampleRecords, ROOT_DIR, withTempDir } from './support.js';

const SUITES = {
  'record-call': runRecordCallBenchmarks,
  'write-call': runWriteCallBenchmarks,
  scrape: runScrapeBenchmarks,
  replay: runReplayBenchmarks,
  'http-ingest': runHttpIngestBenchmarks,
};

// HOOK: benchmarks owned by other parts of the project. Each runs as its own
// process when its file exists; its output goes into BENCHMARKS.md as printed.
// A script may print one line `BENCH_ROWS <json array>` of rows shaped like
// the ones below (name, figure, unit, baselineName, baseline, ratio, target, met)
// to have them in the main table too.
// Both get --no-write because this runner writes BENCHMARKS.md whole.
const EXTERNAL_BENCHMARKS = [
  { path: 'bench/report-bench.mjs', args: ['--no-write'] },
  { path: 'bench/tail-bench.mjs', args: ['--no-write'] },
];
const EXTERNAL_TIMEOUT_MS = 5 * 60 * 1000;

const PROFILE_TOP_FUNCTIONS = 12;

/** Runs one scenario of bench/profile-scenario.js under `node --cpu-prof` and returns its top functions by self time. */
async function profileScenario(scenario) {
  return withTempDir(`cpu-prof-${scenario}`, async (dir) => {
    const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(ROOT_DIR, 'bench/profile-scenario.js'), scenario], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [exitCode] = await once(child, 'exit');
    if (exitCode !== 0) throw new Error(`profile of ${scenario} exited with ${exitCode}`);

    const [file] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
    return summarizeProfile(JSON.parse(await readFile(join(dir, file), 'utf8')), PROFILE_TOP_FUNCTIONS);
  });
}

async function machineDescription() {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = await new Promise((resolve) => {
    const child = spawn('nproc', [], { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', () => resolve(String(cpus().length)));
    child.on('close', () => resolve(output.trim() || String(cpus().length)));
  });
  return { nproc, model, node: process.version, date: new Date().toISOString() };
}

async function runExternal({ path, args }) {
  const absolute = join(ROOT_DIR, path);
  try {
    await access(absolute);
  } catch {
    return undefined;
  }

  const child = spawn(process.execPath, ['--expose-gc', absolute, ...args], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errorOutput = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (errorOutput += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXTERNAL_TIMEOUT_MS);
  const [exitCode, signal] = await once(child, 'exit');
  clearTimeout(timer);

  const lines = output.split('\n');
  const rowsLine = lines.find((line) => line.startsWith('BENCH_ROWS '));
  const rows = rowsLine === undefined ? [] : JSON.parse(rowsLine.slice('BENCH_ROWS '.length));
  const printed = lines.filter((line) => !line.startsWith('BENCH_ROWS ')).join('\n').trim();
  return { path, exitCode, signal, printed, errorOutput: errorOutput.trim(), rows };
}

function formatRatio(row) {
  if (!Number.isFinite(row.ratio)) return 'n/a';
  return `${row.ratio.toFixed(2)} ${row.ratioLabel ?? 'x baseline'}`;
}

function formatMet(met) {
  if (met === undefined) return '';
  return met ? 'met' : '**not met**';
}

function renderProfiles(profiles) {
  const lines = [
    '',
    '## Profiles of the targets not met',
    '',
    'Each scenario ran once more in its own process under `node --cpu-prof` (bench/profile-scenario.js);',
    `the tables list the ${PROFILE_TOP_FUNCTIONS} functions with the most self time (bench/profile-summary.js).`,
    'Time inside a built-in such as JSON.stringify counts as self time of the function that called it.',
  ];
  for (const { scenario, top } of profiles) {
    lines.push('', `### ${scenario}`, '', '| self time | share | function |', '|---|---|---|');
    for (const row of top) lines.push(`| ${row.selfMs.toFixed(1)} ms | ${(row.share * 100).toFixed(1)}% | \`${row.name}\` |`);
  }
  return lines;
}

function renderMarkdown(machine, command, rows, externals, skipped, profiles) {
  const lines = [
    '# Benchmarks',
    '',
    'Generated by `bench/run.js`; do not edit by hand. Each figure and its baseline were measured in the same',
    'run, alternating where the benchmark has rounds, so the ratio is the number to compare across machines.',
    'The machine is shared with other work, so absolute figures vary from run to run.',
    '',
    `- command: \`${command}\``,
    `- machine: ${machine.nproc} CPUs (nproc), ${machine.model}, Node ${machine.node}`,
    `- date: ${machine.date}`,
    '',
    '| benchmark | figure | baseline | ratio | target | result | notes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${formatNumber(row.figure)} ${row.unit} | ${row.baselineName}: ${formatNumber(row.baseline)} ${row.unit} | ${formatRatio(row)} | ${row.target} | ${formatMet(row.met)} | ${row.note ?? ''} |`,
    );
  }

  if (profiles.length > 0) lines.push(...renderProfiles(profiles));

  // Each script that ran prints its own markdown section; a failed one gets its error output instead.
  const missing = [];
  for (const { path } of EXTERNAL_BENCHMARKS) {
    const external = externals.find((candidate) => candidate.path === path);
    if (external === undefined) {
      missing.push(path);
    } else if (external.exitCode === 0) {
      lines.push('', external.printed);
    } else {
      lines.push('', `## ${path}`, '', `Failed with exit code ${external.exitCode ?? external.signal}:`, '', '```', external.errorOutput, '```');
    }
  }
  if (missing.length > 0) lines.push('', `Not present in this checkout, so not run: ${missing.map((path) => `\`${path}\``).join(', ')}.`);
  if (skipped.length > 0) lines.push('', `Suites not run (left out with --only): ${skipped.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' }, output: { type: 'string' } } });
  const only = values.only?.split(',') ?? Object.keys(SUITES);
  const unknown = only.filter((name) => !(name in SUITES));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);
  if (typeof globalThis.gc !== 'function') {
    process.stderr.write('note: run with node --expose-gc so each measured task starts after a full collection\n');
  }

  const machine = await machineDescription();
  const samples = await loadSampleRecords();
  const rows = [];
  for (const name of only) {
    process.stderr.write(`running ${name}\n`);
    rows.push(...(await SUITES[name](samples)));
  }

  const externals = [];
  if (values.only === undefined) {
    for (const benchmark of EXTERNAL_BENCHMARKS) {
      process.stderr.write(`running ${benchmark.path} when present\n`);
      const external = await runExternal(benchmark);
      if (external === undefined) continue;
      externals.push(external);
      rows.push(...external.rows);
    }
  }

  const profiles = [];
  for (const row of rows) {
    if (row.profileScenario === undefined || row.met !== false) continue;
    process.stderr.write(`profiling ${row.profileScenario}\n`);
    profiles.push({ scenario: row.profileScenario, top: await profileScenario(row.profileScenario) });
  }

  const command = `npm run bench${values.only === undefined ? '' : ` -- --only ${values.only}`}`;
  const skipped = Object.keys(SUITES).filter((name) => !only.includes(name));
  const outputPath = values.output ?? join(ROOT_DIR, 'BENCHMARKS.md');
  await writeFile(outputPath, renderMarkdown(machine, command, rows, externals, skipped, profiles));
  for (const row of rows) {
    process.stdout.write(`${row.name}: ${formatNumber(row.figure)} ${row.unit} vs ${formatNumber(row.baseline)} (${formatRatio(row)}) ${formatMet(row.met)}\n`);
  }
  process.stdout.write(`wrote ${outputPath}\n`);
}

await main();

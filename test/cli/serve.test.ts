import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH, startService, sumFamily, type RunningService } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';
import { describeWithTool } from '../support/tools.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url).pathname;
const services: RunningService[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

async function start(args: string[]): Promise<RunningService> {
  const service = await startService(args);
  services.push(service);
  return service;
}

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('relay-metrics serve on the bundled sample', () => {
  it('serves counters that equal the valid records of the sample', async () => {
    const dataDir = await makeTempDir();
    const service = await start(['--data-dir', dataDir, '--seed', SAMPLE_PATH]);
    const exposition = await (await fetch(`${service.url}/metrics`)).text();

    let records = 0;
    let costUsd = 0;
    for (const text of (await readFile(SAMPLE_PATH, 'utf8')).split('\n')) {
      try {
        const value = JSON.parse(text) as { cost_usd?: unknown };
        if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
        records += 1;
        if (typeof value.cost_usd === 'number') costUsd += value.cost_usd;
      } catch {
        // Blank, cut and stray lines of the sample are not records.
      }
    }
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(records);
    expect(Math.abs(sumFamily(exposition, 'relay_cost_usd_total') - costUsd)).toBeLessThan(1e-6);
  });
});

describe('relay-metrics serve shutdown', () => {
  it('flushes queued appends on SIGTERM and exits 0', async () => {
    const dataDir = await makeTempDir();
    const service = await start(['--data-dir', dataDir]);
    const body = Array.from({ length: 5_000 }, (_, index) => JSON.stringify({ job_id: `j${index}` })).join('\n');
    const response = await fetch(`${service.url}/v1/calls`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(((await response.json()) as { accepted: number }).accepted).toBe(5_000);

    expect(await service.stop('SIGTERM')).toBe(0);
    const lines = (await readFile(join(dataDir, 'relay-calls.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(5_000);
    const events = service.output().split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(events.slice(-2)).toEqual(['shutting down', 'stopped']);
  });
});

describe('relay-metrics serve startup errors', () => {
  it('exits 2 with one line for an unknown flag', () => {
    const result = runCli(['serve', '--data-dri', '/tmp/x']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("Unknown option '--data-dri'");
  });

  it('exits 2 for a port that is not a number', () => {
    const result = runCli(['serve', '--data-dir', '/tmp/x', '--port', 'http']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port must be a whole number from 0 to 65535, got "http"');
  });

  it('exits 2 when listening beyond loopback without a token', () => {
    const result = runCli(['serve', '--data-dir', '/tmp/x', '--host', '0.0.0.0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('set --token');
  });

  it('exits 1 with one line for a data directory under a file', () => {
    const result = runCli(['serve', '--data-dir', '/etc/hostname/data']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'relay-metrics: error: data directory /etc/hostname/data is not a directory (ENOTDIR): it or one of its parents is a file, so choose another --data-dir',
    ]);
  });

  it('exits 1 with one line when the port is in use', async () => {
    const first = await start(['--data-dir', await makeTempDir()]);
    const result = runCli(['serve', '--data-dir', await makeTempDir(), '--port', String(first.port)]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`relay-metrics: error: port ${first.port} on 127.0.0.1 is in use: choose another with --port`);
  });

  it('exits 1 naming the holder when another process owns the data directory', async () => {
    const dataDir = await makeTempDir();
    const first = await start(['--data-dir', dataDir]);
    const result = runCli(['serve', '--data-dir', dataDir, '--port', '0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`data directory is in use by pid ${first.child.pid} on host`);
  });

  it('prints help for serve and for the CLI', () => {
    const serveHelp = runCli(['serve', '--help']);
    expect(serveHelp.status).toBe(0);
    expect(serveHelp.stdout).toContain('--data-dir DIR');
    const mainHelp = runCli(['--help']);
    expect(mainHelp.status).toBe(0);
    expect(mainHelp.stdout).toContain('serve');
  });
});

describeWithTool('promtool', 'relay-metrics serve with hostile input', () => {
  it('keeps /metrics valid for promtool check metrics', async () => {
    const dataDir = await makeTempDir();
    const service = await start(['--data-dir', dataDir, '--max-models', '500']);
    const hostile = [
      { tier: 'pro', model: 'quote"back\\slash\nnew line', status: 'success', cost_usd: 0.1 },
      { tier: 'max', model: 'ünïcødé 模型 🚀', status: 'error', error: 'upstream 503' },
      { tier: 'gold"\n', pipeline: 'x\\', backend: '{}', status: 'weird\n' },
      { tier: 'core', cost_usd: '0.5', duration_ms: '100', input_tokens: 'many' },
      { tier: 'core', cost_usd: -1, duration_ms: -5, audio_seconds: 1e308 },
      { tier: 'core', cost_usd: 'NaN', duration_ms: 'Infinity', thinking_tokens: '-Infinity' },
      { model: '\u0000\u0007 control \r chars', status: 'partial' },
      ...Array.from({ length: 200 }, (_, index) => ({ tier: 'core', model: `model-${index}-"\\\n`, status: 'success', cost_usd: 0.001 })),
    ];
    // JSON.stringify cannot write 1e999; JSON.parse reads it as Infinity.
    const overflowing = '{"tier":"core","output_tokens":1e999,"input_tokens":-1e999}';
    const body = [...hostile.map((record) => JSON.stringify(record)), overflowing].join('\n');
    const response = await fetch(`${service.url}/v1/calls`, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(((await response.json()) as { accepted: number }).accepted).toBe(hostile.length + 1);

    const exposition = await (await fetch(`${service.url}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);

    expect(sumFamily(exposition, 'relay_calls_total')).toBe(hostile.length + 1);
    expect(exposition).toContain('relay_dropped_values_total{field="cost_usd",reason="not_a_number"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="cost_usd",reason="not_finite"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="audio_seconds",reason="too_large"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="output_tokens",reason="not_finite"} 1');
    expect(exposition).toContain('relay_dropped_values_total{field="input_tokens",reason="not_finite"} 1');
    expect(exposition).toContain('tier="other",pipeline="other",backend="other"');
  });
});

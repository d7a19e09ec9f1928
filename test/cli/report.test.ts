import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/stream-report.js';
import { CLI_PATH, startService, type RunningService } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url).pathname;
const services: RunningService[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

// Async spawn: a synchronous one would block the event loop that a service in the same test needs.
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function sampleDataDir(): Promise<string> {
  const dataDir = await makeTempDir();
  await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
  return dataDir;
}

describe('relay-metrics report', () => {
  it('prints JSON when stdout is not a terminal', async () => {
    const dataDir = await sampleDataDir();
    const result = await runCli(['report', '--data-dir', dataDir, '--since', '2026-01-01', '--tier-prices', 'core=0,pro=12,max=39']);

    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.summary.calls).toBe(12_005);
    expect(report.revenue.by_tier_revenue.map((row) => row.price_usd)).toEqual([0, 12, 39]);
  });

  it('reads a data directory that a running serve holds', async () => {
    const dataDir = await sampleDataDir();
    const service = await startService(['--data-dir', dataDir]);
    services.push(service);
    const posted = await fetch(`${service.url}/v1/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ install_id: 'fresh-install', tier: 'core', status: 'success', cost_usd: 100 }),
    });
    expect(posted.status).toBe(200);

    const result = await runCli(['report', '--data-dir', dataDir, '--since', '1h', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.summary.calls).toBe(1);
    expect(report.by_install[0]!.install_id).toBe('fresh-install');

    const stillServing = await fetch(`${service.url}/v1/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ install_id: 'after-report' }),
    });
    expect(stillServing.status).toBe(200);
  });

  it('rejects an invalid --since with the accepted forms', async () => {
    const result = await runCli(['report', '--data-dir', await makeTempDir(), '--since', 'last week']);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--since "last week" is not a valid time');
    expect(result.stderr).toContain('7d');
  });

  it('rejects invalid tier prices', async () => {
    const result = await runCli(['report', '--data-dir', await makeTempDir(), '--tier-prices', 'pro=twelve']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--tier-prices takes tier=price pairs');
  });

  it('fails with a clear message for a missing directory', async () => {
    const missing = join(await makeTempDir(), 'absent');
    const result = await runCli(['report', '--data-dir', missing]);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot read data directory ${missing} (ENOENT)`);
  });
});

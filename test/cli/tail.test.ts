import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, waitForHttp } from '../support/ports.js';
import { CLI_PATH, sumFamily } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startTail(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI_PATH, 'tail', ...args, '--port', String(port), '--poll-interval-ms', '50', '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  return { url, child };
}

async function waitForCalls(url: string, calls: number): Promise<string> {
  let exposition = '';
  for (let attempt = 0; attempt < 100; attempt += 1) {
    exposition = await (await fetch(`${url}/metrics`)).text();
    if (sumFamily(exposition, 'relay_calls_total') === calls) break;
    await sleep(50);
  }
  return exposition;
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const line = (jobId: string) => `${JSON.stringify({ job_id: jobId, tier: 'core', status: 'success', cost_usd: 0.5 })}\n`;

describe('relay-metrics tail', () => {
  it('serves the file as metrics and resumes from its state file', async () => {
    const dir = await makeTempDir();
    const path = join(dir, 'relay-calls.ndjson');
    const statePath = join(dir, 'tail-state.json');
    await writeFile(path, line('a') + line('b'));

    const first = await startTail([path, '--state-file', statePath]);
    expect(sumFamily(await waitForCalls(first.url, 2), 'relay_calls_total')).toBe(2);
    await appendFile(path, line('c'));
    expect(sumFamily(await waitForCalls(first.url, 3), 'relay_calls_total')).toBe(3);
    expect(await stop(first.child)).toBe(0);
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toMatchObject({ format: 1, positions: [{ offsetBytes: (await readFile(path)).length }] });

    await appendFile(path, line('d'));
    const second = await startTail([path, '--state-file', statePath]);
    const exposition = await waitForCalls(second.url, 4);
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(4);
    expect(sumFamily(exposition, 'relay_cost_usd_total')).toBe(2);
    expect(await stop(second.child)).toBe(0);
  });

  it('exits 2 without a FILE', () => {
    const result = spawnSync(process.execPath, [CLI_PATH, 'tail'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('relay-metrics: error: tail takes exactly one FILE, got 0: relay-metrics tail /var/lib/relay/relay-calls.ndjson');
  });
});

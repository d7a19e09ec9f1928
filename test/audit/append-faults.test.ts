import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { appendFully, EAGAIN_RETRY_DELAYS_MS } from '../../src/audit/append-write.js';
import { createApp } from '../../src/http/app.js';
import type { Logger } from '../../src/logger.js';
import { createRelayMetrics, type RelayMetrics } from '../../src/relay.js';
import { FaultyFileSystem } from '../support/faulty-file-system.js';
import { readLogRecords } from '../support/log-contents.js';
import { sumFamily } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger: Logger = {
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
  };
  return { logger, entries };
}

async function openRelay(fileSystem: FaultyFileSystem, logger: Logger): Promise<{ relay: RelayMetrics; dataDir: string }> {
  const dataDir = await makeTempDir();
  const relay = await createRelayMetrics({ dataDir, fileSystem, logger, processMetrics: false, checkpointIntervalMs: 0 });
  return { relay, dataDir };
}

let nextJob = 0;
function call(): Record<string, unknown> {
  nextJob += 1;
  return { job_id: `job-${nextJob}`, tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'm', status: 'success', cost_usd: 0.25 };
}

function recordMany(relay: RelayMetrics, count: number) {
  const calls = Array.from({ length: count }, call);
  return Promise.all(calls.map(async (record) => ({ record, result: await relay.recordCall(record) })));
}

describe('readiness after a failed append', () => {
  // Readiness used to wait for the next successful append, but a service that
  // is not ready gets no traffic, so it stayed not ready after the fault cleared.
  it('turns ready again without traffic once the fault clears', async () => {
    const fileSystem = new FaultyFileSystem();
    const { logger } = recordingLogger();
    const { relay } = await openRelay(fileSystem, logger);

    fileSystem.failWrites('ENOSPC');
    expect((await relay.recordCall(call())).ok).toBe(false);
    expect(await relay.isReady()).toBe(false);
    expect(await relay.isReady()).toBe(false);

    fileSystem.clearFault();
    expect(await relay.isReady()).toBe(true);
    await relay.close();
  });
});

describe.each([
  { code: 'ENOSPC', partial: false },
  { code: 'ENOSPC', partial: true },
  { code: 'EACCES', partial: false },
  { code: 'EIO', partial: true },
  { code: 'EAGAIN', partial: false },
])('append failing with $code (partial write: $partial)', ({ code, partial }) => {
  it('reports, counts and logs once, then resumes without a restart', async () => {
    const fileSystem = new FaultyFileSystem();
    const { logger, entries } = recordingLogger();
    const { relay, dataDir } = await openRelay(fileSystem, logger);

    const before = await recordMany(relay, 3);
    expect(before.every(({ result }) => result.ok)).toBe(true);

    fileSystem.failWrites(code, { partial });
    const failed = [...(await recordMany(relay, 5)), ...(await recordMany(relay, 4))];
    for (const { result } of failed) expect(result).toMatchObject({ ok: false, code: 'append_failed' });
    expect(await relay.isReady()).toBe(false);

    const duringFault = await relay.registry.metrics();
    expect(sumFamily(duringFault, 'relay_calls_total')).toBe(3);
    const failureLine = duringFault.split('\n').find((line) => line.startsWith(`relay_audit_append_failures_total{code="${code}"}`));
    expect(Number(failureLine?.split(' ')[1])).toBeGreaterThanOrEqual(2);

    fileSystem.clearFault();
    const after = await recordMany(relay, 2);
    expect(after.every(({ result }) => result.ok)).toBe(true);
    expect(await relay.isReady()).toBe(true);

    const acknowledged = [...before, ...after].map(({ record }) => record.job_id);
    expect((await readLogRecords(dataDir)).map((record) => record.job_id)).toEqual(acknowledged);
    expect(sumFamily(await relay.registry.metrics(), 'relay_calls_total')).toBe(5);

    const failures = entries.filter((entry) => entry.message === 'audit log append failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.fields).toMatchObject({ code });
    expect(entries.filter((entry) => entry.message === 'audit log appends recovered')).toHaveLength(1);
    await relay.close();
  });
});

describe('EAGAIN retries', () => {
  it('absorbs a short EAGAIN burst without a failure', async () => {
    const fileSystem = new FaultyFileSystem();
    const { logger, entries } = recordingLogger();
    const { relay, dataDir } = await openRelay(fileSystem, logger);

    fileSystem.failWrites('EAGAIN', { times: EAGAIN_RETRY_DELAYS_MS.length });
    const results = await recordMany(relay, 4);
    expect(results.every(({ result }) => result.ok)).toBe(true);

    expect(await readLogRecords(dataDir)).toHaveLength(4);
    expect(await relay.registry.metrics()).toContain('relay_audit_append_failures_total{code="EAGAIN"} 0');
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
    await relay.close();
  });

  it('gives up after the last retry', async () => {
    const fileSystem = new FaultyFileSystem();
    const handle = await fileSystem.open(`${await makeTempDir()}/file`, 'a', 0o600);
    fileSystem.failWrites('EAGAIN', { times: EAGAIN_RETRY_DELAYS_MS.length + 1 });
    await expect(appendFully(handle, Buffer.from('line\n'))).rejects.toMatchObject({ code: 'EAGAIN' });
    await handle.close();
  });
});

describe('HTTP during an append fault', () => {
  it('answers 503 append_failed and turns /readyz not ready until the fault clears', async () => {
    const fileSystem = new FaultyFileSystem();
    const { logger } = recordingLogger();
    const { relay } = await openRelay(fileSystem, logger);
    const app = createApp({ relay, logger });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const post = () => fetch(`${url}/v1/calls`, { method: 'POST', body: JSON.stringify(call()), headers: { 'content-type': 'application/json' } });

    try {
      fileSystem.failWrites('ENOSPC');
      const rejected = await post();
      expect(rejected.status).toBe(503);
      expect(((await rejected.json()) as { error: { code: string } }).error.code).toBe('append_failed');
      expect((await fetch(`${url}/readyz`)).status).toBe(503);

      fileSystem.clearFault();
      expect((await post()).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await relay.close();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { Logger } from '../../src/logger.js';
import {
  clearAllAuditEntries,
  closeAuditLog,
  deleteAuditRowsByJobIds,
  getRelayMetrics,
  initAuditLog,
  metricsHandler,
  readEntries,
  recordCall,
} from '../../src/report/compat.js';
import { sumFamily } from '../support/service.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

function createCapturingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
}

let dataDir: string;
let logger: ReturnType<typeof createCapturingLogger>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relay-compat-'));
  logger = createCapturingLogger();
});

afterEach(async () => {
  await closeAuditLog();
  await rm(dataDir, { recursive: true, force: true });
});

async function liveLines(): Promise<string[]> {
  const text = await readFile(join(dataDir, 'relay-calls.ndjson'), 'utf8');
  return text.split('\n').filter((line) => line !== '');
}

describe('compat initAuditLog', () => {
  it('creates the live log with mode 0600 and logs its path', async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });

    const info = await stat(join(dataDir, 'relay-calls.ndjson'));
    expect(info.size).toBe(0);
    expect(info.mode & 0o777).toBe(0o600);
    expect(logger.lines).toContainEqual({ level: 'info', fields: { path: join(dataDir, 'relay-calls.ndjson') }, message: 'audit log open' });
  });

  it('opens once for concurrent calls', async () => {
    await Promise.all([initAuditLog({ dataDir, logger }), initAuditLog({ dataDir, logger })]);
    expect(getRelayMetrics()).toBeDefined();
  });
});

describe('compat recordCall', () => {
  it('appends with a ts and updates the metrics', async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });
    const beforeMs = Date.now();
    await recordCall({ install_id: 'i1', tier: 'pro', pipeline: 'analyze', status: 'success', cost_usd: 0.25 });
    await recordCall({ install_id: 'i1', tier: 'pro', pipeline: 'analyze', status: 'success', cost_usd: 0.5, ts: 1234 });

    const [first, second] = (await liveLines()).map((line) => JSON.parse(line) as { ts: number });
    expect(first!.ts).toBeGreaterThanOrEqual(beforeMs);
    expect(second!.ts).toBe(1234);

    const exposition = await getRelayMetrics()!.registry.metrics();
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(2);
    expect(sumFamily(exposition, 'relay_cost_usd_total')).toBeCloseTo(0.75, 9);
  });

  it('resolves and logs for a record that cannot be stored', async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });

    await expect(recordCall({ install_id: 'i1', big: 10n })).resolves.toBeUndefined();
    await expect(recordCall(null as unknown as object)).resolves.toBeUndefined();

    expect(await liveLines()).toEqual([]);
    expect(logger.lines.filter((line) => line.level === 'error' && line.message === 'audit record not written')).toHaveLength(2);
  });

  it('resolves and logs when the directory is held by another writer', async () => {
    const holder = await AuditLog.open({ dataDir });
    try {
      await expect(initAuditLog({ dataDir, logger })).rejects.toThrow(/data directory is in use/);
      await expect(recordCall({ install_id: 'i1' })).resolves.toBeUndefined();
      expect(logger.lines.some((line) => line.level === 'error')).toBe(true);
    } finally {
      await holder.close();
    }

    await recordCall({ install_id: 'i2' });
    expect(await liveLines()).toHaveLength(1);
  });

  it('loses no record in a burst of 20,000', async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });
    await Promise.all(Array.from({ length: 20_000 }, (_, index) => recordCall({ install_id: `i${index}`, status: 'success' })));

    expect(await liveLines()).toHaveLength(20_000);
    expect(sumFamily(await getRelayMetrics()!.registry.metrics(), 'relay_calls_total')).toBe(20_000);
  });
});

describe('compat maintenance', () => {
  beforeEach(async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });
  });

  it('deletes rows by job id and keeps lines that are not JSON', async () => {
    await recordCall({ job_id: 'j1' });
    await recordCall({ job_id: 'j2' });
    await recordCall({ job_id: 'j1' });
    await writeFile(join(dataDir, 'relay-calls.ndjson'), 'not json\n', { flag: 'a' });

    expect(await deleteAuditRowsByJobIds(['j1'])).toEqual({ deleted: 2 });
    const lines = await liveLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('not json');
  });

  it('deletes nothing for an empty list or a non-array', async () => {
    await recordCall({ job_id: 'j1' });
    expect(await deleteAuditRowsByJobIds([])).toEqual({ deleted: 0 });
    expect(await deleteAuditRowsByJobIds('j1')).toEqual({ deleted: 0 });
    expect(await deleteAuditRowsByJobIds(undefined)).toEqual({ deleted: 0 });
    expect(await liveLines()).toHaveLength(1);
  });

  it('keeps appends that race a delete', async () => {
    await recordCall({ job_id: 'gone' });
    const appends = Array.from({ length: 2_000 }, (_, index) => recordCall({ job_id: `keep-${index}` }));
    const deletion = deleteAuditRowsByJobIds(['gone']);
    await Promise.all([...appends, deletion]);

    expect(await deletion).toEqual({ deleted: 1 });
    expect(await liveLines()).toHaveLength(2_000);
  });

  it('clears the live log', async () => {
    await recordCall({ job_id: 'j1' });
    expect(await clearAllAuditEntries()).toEqual({ ok: true });
    expect(await liveLines()).toEqual([]);
  });

  it('reports a failed clear as a result', async () => {
    await closeAuditLog();
    await rm(dataDir, { recursive: true, force: true });
    await writeFile(dataDir, 'a file where the directory was');

    const result = await clearAllAuditEntries();
    expect(result.ok).toBe(false);
    expect(result).toHaveProperty('error');
    await rm(dataDir);
  });
});

describe('compat readEntries', () => {
  it('returns records in range, newest first, from live log and archives', async () => {
    await writeFile(join(dataDir, 'relay-calls-2026-11-01.ndjson'), '{"ts":100,"id":"a"}\n{"ts":300,"id":"b"}\n');
    await writeFile(join(dataDir, 'relay-calls.ndjson'), '{"ts":200,"id":"c"}\nbroken\n{"id":"no ts"}\n{"ts":"300"}\n{"ts":400,"id":"d"}\n');
    await initAuditLog({ dataDir, logger, processMetrics: false });

    expect((await readEntries({ sinceMs: 0 })).map((record) => record.id)).toEqual(['d', 'b', 'c', 'a']);
    expect((await readEntries({ sinceMs: 200, untilMs: 300 })).map((record) => record.id)).toEqual(['b', 'c']);
    expect(await readEntries()).toEqual([]);
  });

  it('returns an empty list for a missing directory', async () => {
    await initAuditLog({ dataDir, logger, processMetrics: false });
    await closeAuditLog();
    await rm(dataDir, { recursive: true, force: true });

    expect(await readEntries({ sinceMs: 0 })).toEqual([]);
  });
});

describe('compat metricsHandler', () => {
  async function serveMetrics(): Promise<{ url: string; server: Server }> {
    const server = createServer((request, response) => void metricsHandler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/metrics`, server };
  }

  it('responds 503 before the log is open, then serves recorded calls', async () => {
    const { url, server } = await serveMetrics();
    try {
      expect((await fetch(url)).status).toBe(503);

      await initAuditLog({ dataDir, logger, processMetrics: false });
      await recordCall({ tier: 'max', status: 'success', cost_usd: 2 });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      const exposition = await response.text();
      expect(sumFamily(exposition, 'relay_calls_total')).toBe(1);
      expect(sumFamily(exposition, 'relay_cost_usd_total')).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('relay-metrics/compat package subpath', () => {
  it('resolves to the built module with every function', () => {
    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('relay-metrics/compat'); console.log(Object.keys(m).sort().join(','))"],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );

    const names = output.trim().split(',');
    for (const name of ['initAuditLog', 'recordCall', 'clearAllAuditEntries', 'deleteAuditRowsByJobIds', 'readEntries', 'aggregate', 'computeRevenue', 'getRelayMetrics']) {
      expect(names).toContain(name);
    }
  });
});

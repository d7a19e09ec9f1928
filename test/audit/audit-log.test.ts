import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendError, AuditLog } from '../../src/audit/audit-log.js';
import { DirectoryLockedError } from '../../src/audit/directory-lock.js';
import { TORN_TAILS_NAME } from '../../src/audit/torn-tail.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

function line(index: number, extra: object = {}): string {
  return `${JSON.stringify({ ts: 1_000 + index, job_id: `job-${index}`, ...extra })}\n`;
}

async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

describe('AuditLog appends', () => {
  it('burst of 100,000 concurrent appends', async () => {
    const dataDir = await makeTempDir();
    let writes = 0;
    const log = await AuditLog.open({ dataDir, hooks: { onAppend: () => (writes += 1) } });

    const count = 100_000;
    await Promise.all(Array.from({ length: count }, (_, index) => log.append(line(index))));
    await log.close();

    const lines = await readLines(log.livePath);
    expect(lines).toHaveLength(count);
    const jobIds = new Set(lines.map((text) => (JSON.parse(text) as { job_id: string }).job_id));
    expect(jobIds.size).toBe(count);
    // Group commit: far fewer writes than records.
    expect(writes).toBeLessThan(count / 100);
  });

  it('keeps multi-byte lines whole across capped writes', async () => {
    const dataDir = await makeTempDir();
    let writes = 0;
    const log = await AuditLog.open({ dataDir, maxWriteBytes: 4_096, hooks: { onAppend: () => (writes += 1) } });

    const count = 2_000;
    const expected = Array.from({ length: count }, (_, index) => line(index, { model: `modèle-${'😀'.repeat(index % 40)}` }));
    await Promise.all(expected.map((text) => log.append(text)));
    await log.close();

    expect(await readFile(log.livePath, 'utf8')).toBe(expected.join(''));
    // Each write stayed near the cap, so the burst took many writes, not one.
    expect(writes).toBeGreaterThan(count / 100);
  });

  it('rejects every append of a failed batch', async () => {
    const dataDir = await makeTempDir();
    const failures: number[] = [];
    const log = await AuditLog.open({ dataDir, hooks: { onAppendFailure: (_error, records) => failures.push(records) } });
    await log.append(line(0));

    // Closing the file behind the log's back makes its next writes fail with EBADF.
    await (log as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, index) => log.append(line(index + 1))));

    expect(results.every((result) => result.status === 'rejected' && result.reason instanceof AppendError)).toBe(true);
    expect(failures.reduce((sum, records) => sum + records, 0)).toBe(100);
    expect(await readLines(log.livePath)).toEqual([line(0).slice(0, -1)]);
    await log.close();
  });

  it('creates the live file with mode 0600', async () => {
    const dataDir = await makeTempDir();
    const log = await AuditLog.open({ dataDir });
    await log.append(line(1));
    expect((await stat(log.livePath)).mode & 0o777).toBe(0o600);
    await log.close();
  });

  it('rejects appends after close', async () => {
    const log = await AuditLog.open({ dataDir: await makeTempDir() });
    await log.close();
    await expect(log.append(line(1))).rejects.toThrow(/closed/);
  });
});

describe('AuditLog maintenance', () => {
  it('delete during an append stream', async () => {
    const dataDir = await makeTempDir();
    const log = await AuditLog.open({ dataDir });
    for (let index = 0; index < 500; index += 1) await log.append(line(index, { target: index % 50 === 0 }));

    const streamed: Promise<void>[] = [];
    let deletion: Promise<{ deleted: number }> | undefined;
    for (let index = 500; index < 2_500; index += 1) {
      streamed.push(log.append(line(index)));
      if (index === 1_000) deletion = log.deleteByJobIds(['job-0', 'job-50', 'job-100', 'job-1500']);
      if (index % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(streamed);
    const { deleted } = await deletion!;
    await log.close();

    const jobIds = new Set((await readLines(log.livePath)).map((text) => (JSON.parse(text) as { job_id: string }).job_id));
    expect(deleted).toBe(3);
    for (let index = 500; index < 2_500; index += 1) expect(jobIds.has(`job-${index}`)).toBe(true);
    expect(jobIds.has('job-0')).toBe(false);
    expect(jobIds.has('job-50')).toBe(false);
    expect(jobIds.size).toBe(2_500 - 3);
  });

  it('keeps lines that are not JSON when deleting', async () => {
    const dataDir = await makeTempDir();
    await writeFile(join(dataDir, 'relay-calls.ndjson'), `not json "job_id"\n${line(1)}${line(2)}`);
    const log = await AuditLog.open({ dataDir });
    expect(await log.deleteByJobIds(['job-1'])).toEqual({ deleted: 1 });
    await log.close();
    expect(await readLines(log.livePath)).toEqual(['not json "job_id"', line(2).trim()]);
  });

  it('deletes nothing for an empty list', async () => {
    const log = await AuditLog.open({ dataDir: await makeTempDir() });
    await log.append(line(1));
    expect(await log.deleteByJobIds([])).toEqual({ deleted: 0 });
    await log.close();
  });

  it('keeps appends queued behind a clear', async () => {
    const dataDir = await makeTempDir();
    const log = await AuditLog.open({ dataDir });
    await Promise.all([log.append(line(1)), log.append(line(2))]);
    const cleared = log.clearAll();
    const after = log.append(line(3));
    await Promise.all([cleared, after]);
    await log.close();
    expect(await readLines(log.livePath)).toEqual([line(3).trim()]);
  });
});

describe('AuditLog rotation', () => {
  it('rotation while running, with suffixes', async () => {
    const dataDir = await makeTempDir();
    const rotated: string[] = [];
    const log = await AuditLog.open({
      dataDir,
      rotateThresholdBytes: 2_000,
      now: () => new Date('2026-12-04T10:00:00Z'),
      hooks: { onRotate: (path) => rotated.push(path) },
    });

    for (let index = 0; index < 200; index += 1) await log.append(line(index));
    await log.close();

    expect(rotated.length).toBeGreaterThanOrEqual(3);
    const names = (await readdir(dataDir)).filter((name) => name.startsWith('relay-calls-')).sort();
    expect(names).toContain('relay-calls-2026-12-04.ndjson');
    expect(names).toContain('relay-calls-2026-12-04.1.ndjson');
    expect(names).toContain('relay-calls-2026-12-04.2.ndjson');

    let total = 0;
    for (const name of [...names, 'relay-calls.ndjson']) total += (await readLines(join(dataDir, name))).length;
    expect(total).toBe(200);
  });

  it('rotates an oversized live file on open', async () => {
    const dataDir = await makeTempDir();
    await writeFile(join(dataDir, 'relay-calls.ndjson'), line(1).repeat(100));
    const log = await AuditLog.open({ dataDir, rotateThresholdBytes: 1_000, now: () => new Date('2026-01-02T00:00:00Z') });
    expect(log.liveSizeBytes).toBe(0);
    await log.close();
    expect((await readLines(join(dataDir, 'relay-calls-2026-01-02.ndjson'))).length).toBe(100);
  });

  it('rejects a threshold that is not positive', async () => {
    await expect(AuditLog.open({ dataDir: await makeTempDir(), rotateThresholdBytes: 0 })).rejects.toThrow(RangeError);
  });
});

describe('AuditLog open', () => {
  it('torn last line moved aside', async () => {
    const dataDir = await makeTempDir();
    await writeFile(join(dataDir, 'relay-calls.ndjson'), `${line(1)}{"ts":2,"job_i`);
    const log = await AuditLog.open({ dataDir });
    await log.append(line(3));
    await log.close();

    expect(await readLines(log.livePath)).toEqual([line(1).trim(), line(3).trim()]);
    expect(await readFile(join(dataDir, TORN_TAILS_NAME), 'utf8')).toBe('{"ts":2,"job_i\n');
  });

  it('fails for a second instance on the same directory, naming the holder', async () => {
    const dataDir = await makeTempDir();
    const first = await AuditLog.open({ dataDir });
    const second = AuditLog.open({ dataDir });
    await expect(second).rejects.toBeInstanceOf(DirectoryLockedError);
    await expect(second).rejects.toThrow(new RegExp(`pid ${process.pid} on host`));
    await first.close();

    const third = await AuditLog.open({ dataDir });
    await third.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = await makeTempDir();
    const { hostname } = await import('node:os');
    await writeFile(join(dataDir, 'relay-metrics.lock'), JSON.stringify({ pid: 2 ** 22 + 17, hostname: hostname(), startedAt: 'x' }));
    const log = await AuditLog.open({ dataDir });
    await log.close();
  });
});

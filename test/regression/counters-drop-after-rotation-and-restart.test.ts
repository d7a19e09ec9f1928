import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_NAME } from '../../src/audit/checkpoint.js';
import { LIVE_LOG_NAME } from '../../src/audit/log-files.js';
import { createRelayMetrics, type RelayMetrics } from '../../src/relay.js';
import { sumFamily } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

// Before the metric checkpoint, a restart replayed only the live log, so
// every record rotated, deleted or cleared away vanished from the counters.

const makeTempDir = useTempDirs();

function open(dataDir: string, extra: { rotateThresholdBytes?: number } = {}): Promise<RelayMetrics> {
  return createRelayMetrics({ dataDir, processMetrics: false, checkpointIntervalMs: 0, ...extra });
}

async function recordJobs(relay: RelayMetrics, jobIds: string[]): Promise<void> {
  for (const jobId of jobIds) {
    const result = await relay.recordCall({ job_id: jobId, tier: 'core', pipeline: 'transcribe', backend: 'gemini', status: 'success', cost_usd: 0.5 });
    expect(result.ok).toBe(true);
  }
}

async function totals(relay: RelayMetrics): Promise<{ calls: number; costUsd: number }> {
  const exposition = await relay.registry.metrics();
  return { calls: sumFamily(exposition, 'relay_calls_total'), costUsd: sumFamily(exposition, 'relay_cost_usd_total') };
}

describe('counters after a restart', () => {
  it('keep rotated records', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    await recordJobs(first, ['a', 'b', 'c']);
    await first.auditLog.rotate();
    await recordJobs(first, ['d']);
    await first.close();

    const second = await open(dataDir);
    expect(await totals(second)).toEqual({ calls: 4, costUsd: 2 });
    await second.close();
  });

  it('keep deleted and cleared records', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    await recordJobs(first, ['a', 'b', 'c']);
    expect(await first.auditLog.deleteByJobIds(['b'])).toEqual({ deleted: 1 });
    await recordJobs(first, ['d']);
    await first.auditLog.clearAll();
    await recordJobs(first, ['e']);
    await first.close();

    const second = await open(dataDir);
    expect(await totals(second)).toEqual({ calls: 5, costUsd: 2.5 });
    await second.close();
  });

  it('keep the records of a file rotated on open', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    await recordJobs(first, ['a', 'b']);
    await first.close();

    const second = await open(dataDir, { rotateThresholdBytes: 10 });
    expect(await totals(second)).toEqual({ calls: 2, costUsd: 1 });
    await second.close();
  });

  it('count post-checkpoint records once after a rotation crash', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    await recordJobs(first, ['a', 'b']);
    await first.auditLog.checkpoint();
    await recordJobs(first, ['c']);

    // The state a crash leaves between the rename of a rotation and its checkpoint.
    await rename(join(dataDir, LIVE_LOG_NAME), join(dataDir, 'relay-calls-2026-12-01.ndjson'));
    await writeFile(join(dataDir, LIVE_LOG_NAME), '');
    await rm(join(dataDir, 'relay-metrics.lock'));

    const second = await open(dataDir);
    expect(await totals(second)).toEqual({ calls: 3, costUsd: 1.5 });
    await second.close();
    await first.close().catch(() => undefined);
  });

  it('replay the live log whole when the checkpoint is damaged', async () => {
    const dataDir = await makeTempDir();
    const first = await open(dataDir);
    await recordJobs(first, ['a', 'b']);
    await first.close();
    await writeFile(join(dataDir, CHECKPOINT_NAME), '{"format": 1, "positions": [');

    const second = await open(dataDir);
    expect(await totals(second)).toEqual({ calls: 2, costUsd: 1 });
    await second.close();
  });
});

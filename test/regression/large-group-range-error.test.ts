import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/compat.js';
import { createReport } from '../../src/report/stream-report.js';

// The original spread every time of a group into Math.max / Math.min, which
// throws "RangeError: Maximum call stack size exceeded" past about 100,000
// arguments, so one busy install broke the whole dashboard.
const RECORD_COUNT = 300_000;
const FIRST_MS = Date.parse('2026-11-01T00:00:00Z');

function recordAt(index: number) {
  return {
    ts: FIRST_MS + index * 1000,
    install_id: 'busy-install',
    license_fingerprint: 'busy-license',
    tier: 'pro',
    job_id: 'one-long-job',
    pipeline: index % 2 === 0 ? 'transcribe' : 'analyze',
    backend: 'gemini',
    model: 'gemini-3-flash-preview',
    status: 'success',
    duration_ms: 10,
    cost_usd: 0.001,
  };
}

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relay-large-group-'));
  const output = createWriteStream(join(dataDir, 'relay-calls.ndjson'));
  const batch: string[] = [];
  for (let index = 0; index < RECORD_COUNT; index += 1) {
    batch.push(JSON.stringify(recordAt(index)));
    if (batch.length === 10_000) {
      if (!output.write(`${batch.join('\n')}\n`)) await once(output, 'drain');
      batch.length = 0;
    }
  }
  output.end();
  await once(output, 'finish');
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('300,000 records of one install', () => {
  const lastMs = FIRST_MS + (RECORD_COUNT - 1) * 1000;

  it('stream into a report without a RangeError', async () => {
    const report = await createReport({ dataDir, sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER });

    expect(report.summary.calls).toBe(RECORD_COUNT);
    expect(report.by_install).toHaveLength(1);
    expect(report.by_install[0]!.last_active_at).toBe(lastMs);
    expect(report.by_license[0]!.last_active_at).toBe(lastMs);
    expect(report.by_summary[0]!.started_at).toBe(FIRST_MS);
    expect(report.by_summary[0]!.completed_at).toBe(lastMs);
  });

  it('aggregate from an array without a RangeError', () => {
    const entries = Array.from({ length: RECORD_COUNT }, (_, index) => recordAt(index));
    const result = aggregate(entries);

    expect(result.summary.calls).toBe(RECORD_COUNT);
    expect(result.by_install[0]!.last_active_at).toBe(lastMs);
    expect(result.by_summary[0]!.started_at).toBe(FIRST_MS);
  });
});

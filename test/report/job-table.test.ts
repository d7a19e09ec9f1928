import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobTable } from '../../src/report/job-table.js';
import { readReportInput, type ReportInput } from '../../src/report/report-input.js';
import type { SummaryRow } from '../../src/report/report-types.js';

const BASE_MS = Date.parse('2026-12-01T00:00:00Z');

function inputOf(record: Record<string, unknown>): ReportInput {
  const input = readReportInput(record);
  if (input === undefined) throw new Error('test record is not an object');
  return input;
}

// The rollup written the plain way, one object per job, as the report held it before the table.
function referenceRows(inputs: ReportInput[]): Map<string, SummaryRow> {
  const jobs = new Map<string, { row: SummaryRow; calls: number; succeeded: number; failed: number; transcribeTs: number; analyzeTs: number }>();
  for (const input of inputs) {
    if (input.jobId === undefined) continue;
    let job = jobs.get(input.jobId);
    if (job === undefined) {
      const row: SummaryRow = {
        job_id: input.jobId, install_id: null, tier: input.tier, started_at: null, completed_at: null,
        transcribe_backend: null, transcribe_model: null, analyze_backend: null, analyze_model: null,
        total_cost_usd: 0, total_duration_ms: 0, status: 'success', had_transcribe: false, had_analyze: false,
      };
      job = { row, calls: 0, succeeded: 0, failed: 0, transcribeTs: Number.NEGATIVE_INFINITY, analyzeTs: Number.NEGATIVE_INFINITY };
      jobs.set(input.jobId, job);
    }

    const { row } = job;
    job.calls += 1;
    row.total_cost_usd += input.costUsd ?? 0;
    row.total_duration_ms += input.durationMs ?? 0;
    if (input.status === 'success') job.succeeded += 1;
    if (input.status === 'error' || input.status === 'refused') job.failed += 1;
    if (row.install_id === null && input.installId !== undefined) row.install_id = input.installId;
    if (input.tsMs !== undefined) {
      if (row.started_at === null || input.tsMs < row.started_at) row.started_at = input.tsMs;
      if (row.completed_at === null || input.tsMs >= row.completed_at) {
        row.completed_at = input.tsMs;
        row.tier = input.tier;
      }
    }
    const ts = input.tsMs ?? Number.NEGATIVE_INFINITY;
    if (input.pipeline === 'transcribe' && (!row.had_transcribe || ts >= job.transcribeTs)) {
      Object.assign(row, { transcribe_backend: input.backend, transcribe_model: input.model, had_transcribe: true });
      job.transcribeTs = ts;
    }
    if (input.pipeline === 'analyze' && (!row.had_analyze || ts >= job.analyzeTs)) {
      Object.assign(row, { analyze_backend: input.backend, analyze_model: input.model, had_analyze: true });
      job.analyzeTs = ts;
    }
    row.status = 'partial';
    if (job.succeeded === job.calls) row.status = 'success';
    if (job.failed > 0) row.status = 'error';
  }
  return new Map([...jobs].map(([id, job]) => [id, job.row]));
}

function tableOf(inputs: ReportInput[]): JobTable {
  const table = new JobTable();
  for (const input of inputs) if (input.jobId !== undefined) table.add(input.jobId, input);
  return table;
}

const field = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const recordArbitrary = fc.record(
  {
    ts: field(fc.integer({ min: 0, max: 20 }).map((step) => BASE_MS + step * 1000)),
    job_id: field(fc.constantFrom('j1', 'j2', 'j3')),
    install_id: field(fc.constantFrom('i1', 'i2')),
    tier: field(fc.constantFrom('core', 'pro')),
    pipeline: field(fc.constantFrom('transcribe', 'analyze', 'other')),
    backend: field(fc.constantFrom('gemini', 'hardware')),
    model: field(fc.constantFrom('m1', 'm2')),
    status: field(fc.constantFrom('success', 'error', 'refused', 'partial')),
    cost_usd: field(fc.integer({ min: 0, max: 500 }).map((cents) => cents / 100)),
    duration_ms: field(fc.integer({ min: 0, max: 10_000 })),
  },
  { requiredKeys: [] },
);

describe('JobTable', () => {
  it('rolls up each job as a plain per-job object would', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 40 }), (records) => {
        const inputs = records.map(inputOf);
        const table = tableOf(inputs);
        const expected = referenceRows(inputs);

        const rows = table.newestFirst(Number.POSITIVE_INFINITY).map((index) => table.toRow(index));
        expect(table.size).toBe(expected.size);
        for (const row of rows) {
          const reference = expected.get(row.job_id)!;
          expect(row).toEqual({ ...reference, total_cost_usd: row.total_cost_usd, total_duration_ms: row.total_duration_ms });
          expect(row.total_cost_usd).toBeCloseTo(reference.total_cost_usd, 6);
          expect(row.total_duration_ms).toBeCloseTo(reference.total_duration_ms, 3);
        }
      }),
    );
  });

  it('keeps rows apart across pages', () => {
    const table = new JobTable();
    const jobCount = 40_000;
    for (let job = 0; job < jobCount; job += 1) {
      const index = table.add(`job-${job}`, inputOf({ ts: BASE_MS + job, job_id: `job-${job}`, cost_usd: job / 100, install_id: `i${job % 7}`, status: 'success' }));
      expect(index).toBe(job);
    }
    expect(table.add('job-20000', inputOf({ ts: BASE_MS, job_id: 'job-20000', status: 'error' }))).toBe(20_000);

    expect(table.size).toBe(jobCount);
    for (const job of [0, 16_383, 16_384, 20_000, 32_768, jobCount - 1]) {
      const row = table.toRow(job);
      expect(row.job_id).toBe(`job-${job}`);
      expect(row.install_id).toBe(`i${job % 7}`);
      expect(row.completed_at).toBe(BASE_MS + job);
      expect(row.total_cost_usd).toBeCloseTo(job / 100, 6);
      expect(row.status).toBe(job === 20_000 ? 'error' : 'success');
    }
  });

  it('lists newest first up to the limit', () => {
    const table = tableOf([
      inputOf({ job_id: 'untimed' }),
      inputOf({ job_id: 'b', ts: BASE_MS + 5 }),
      inputOf({ job_id: 'old', ts: BASE_MS }),
      inputOf({ job_id: 'a', ts: BASE_MS + 5 }),
      inputOf({ job_id: 'new', ts: BASE_MS + 9 }),
    ]);

    const ids = (limit: number) => table.newestFirst(limit).map((index) => table.toRow(index).job_id);
    expect(ids(Number.POSITIVE_INFINITY)).toEqual(['new', 'a', 'b', 'old', 'untimed']);
    expect(ids(2)).toEqual(['new', 'a']);
    expect(ids(0)).toEqual([]);
  });

  it('shows an untimed job with null times', () => {
    const table = tableOf([inputOf({ job_id: 'j', pipeline: 'transcribe', backend: 'gemini', model: 'm1', status: 'partial' })]);

    expect(table.toRow(0)).toMatchObject({
      started_at: null,
      completed_at: null,
      transcribe_backend: 'gemini',
      transcribe_model: 'm1',
      had_transcribe: true,
      had_analyze: false,
      analyze_backend: null,
      install_id: null,
      status: 'partial',
    });
  });
});

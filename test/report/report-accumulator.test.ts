import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/record/call-record.js';
import { ReportAccumulator } from '../../src/report/report-accumulator.js';

const HOUR_MS = 3_600_000;
const BASE_MS = Date.parse('2026-12-01T00:00:00Z');

function accumulate(records: unknown[], limits = {}) {
  const accumulator = new ReportAccumulator(limits);
  for (const record of records) accumulator.add(record as CallRecord);
  return accumulator;
}

describe('ReportAccumulator summary', () => {
  it('counts statuses and keeps refusals in the success rate denominator', () => {
    const { summary } = accumulate([
      { ts: BASE_MS, status: 'success', install_id: 'a' },
      { ts: BASE_MS, status: 'success', install_id: 'a' },
      { ts: BASE_MS, status: 'error', install_id: 'a' },
      { ts: BASE_MS, status: 'refused', install_id: 'a' },
    ]).result();

    expect(summary.calls).toBe(4);
    expect(summary.success).toBe(2);
    expect(summary.errors).toBe(1);
    expect(summary.refused).toBe(1);
    expect(summary.success_rate).toBe(0.5);
  });

  it('counts active users per tier, records without tier as core', () => {
    const { summary } = accumulate([
      { install_id: 'i1' },
      { install_id: 'i2', tier: 'core' },
      { install_id: 'i3', tier: 'pro', license_fingerprint: 'L1' },
      { install_id: 'i4', tier: 'pro', license_fingerprint: 'L1' },
      { install_id: 'i5', tier: 'pro', license_fingerprint: null },
      { install_id: 'i6', tier: 'max', license_fingerprint: 'L2' },
      { install_id: 'i7', tier: 'enterprise' },
    ]).result();

    expect(summary.active_installs_by_tier).toEqual({ core: 2, pro: 2, max: 1 });
  });

  it('leaves invalid numbers out of totals', () => {
    const { summary } = accumulate([
      { cost_usd: 1.5, duration_ms: 100, input_tokens: 10 },
      { cost_usd: -3, duration_ms: 'slow', input_tokens: Number.NaN },
      { cost_usd: '2', duration_ms: 300 },
    ]).result();

    expect(summary.calls).toBe(3);
    expect(summary.total_cost_usd).toBe(1.5);
    expect(summary.total_duration_ms).toBe(400);
    expect(summary.avg_duration_ms).toBe(200);
    expect(summary.total_input_tokens).toBe(10);
  });

  it('skips values that are not objects', () => {
    const accumulator = accumulate([null, 42, 'text', [1], { status: 'success' }]);
    expect(accumulator.skippedRecords).toBe(4);
    expect(accumulator.result().summary.calls).toBe(1);
  });

  it('returns zeros for no records', () => {
    const result = accumulate([]).result();
    expect(result.summary.success_rate).toBe(0);
    expect(result.summary.avg_duration_ms).toBe(0);
    expect(result.by_hour_utc).toHaveLength(24);
    expect(result.by_tier).toEqual([]);
  });
});

describe('ReportAccumulator groups', () => {
  it('names absent group fields unknown', () => {
    const result = accumulate([{ status: 'success' }]).result();
    expect(result.by_tier[0]!.tier).toBe('unknown');
    expect(result.by_model[0]!.model).toBe('unknown');
    expect(result.by_pipeline[0]!.pipeline).toBe('unknown');
    expect(result.by_backend[0]!.backend).toBe('unknown');
  });

  it('counts paid-tier users by license and core users by install', () => {
    const result = accumulate([
      { tier: 'pro', install_id: 'i1', license_fingerprint: 'L1' },
      { tier: 'pro', install_id: 'i2', license_fingerprint: 'L1' },
      { tier: 'core', install_id: 'i1' },
      { tier: 'core', install_id: 'i2' },
    ]).result();

    expect(result.by_tier.map((row) => [row.tier, row.unique_installs])).toEqual([
      ['core', 2],
      ['pro', 1],
    ]);
  });

  it('lists the top installs by cost with the newest tier', () => {
    const records = Array.from({ length: 25 }, (_, index) => ({ ts: BASE_MS + index, install_id: `i${index}`, cost_usd: index, tier: 'core' }));
    records.push({ ts: BASE_MS + 100, install_id: 'i24', cost_usd: 1, tier: 'pro' });
    records.push({ ts: BASE_MS - 100, install_id: 'i24', cost_usd: 1, tier: 'max' });
    const result = accumulate(records).result();

    expect(result.by_install).toHaveLength(20);
    expect(result.by_install[0]).toEqual({
      install_id: 'i24',
      tier_snapshot: 'pro',
      calls: 3,
      cost_usd: 26,
      summaries: 0,
      avg_duration_ms: 0,
      last_active_at: BASE_MS + 100,
    });
    expect(result.by_install.at(-1)!.install_id).toBe('i5');
  });

  it('counts installs and summaries per license', () => {
    const result = accumulate([
      { ts: BASE_MS, tier: 'max', install_id: 'i1', license_fingerprint: 'L1', job_id: 'j1', cost_usd: 1 },
      { ts: BASE_MS + 1, tier: 'max', install_id: 'i2', license_fingerprint: 'L1', job_id: 'j1', cost_usd: 1 },
      { ts: BASE_MS + 2, tier: 'max', install_id: 'i2', license_fingerprint: 'L1', job_id: 'j2', cost_usd: 1 },
      { ts: BASE_MS + 3, tier: 'core', install_id: 'i3', cost_usd: 5 },
    ]).result();

    expect(result.by_license).toEqual([
      {
        license_fingerprint: 'L1',
        tier_snapshot: 'max',
        calls: 3,
        cost_usd: 3,
        summaries: 2,
        unique_installs: 2,
        avg_duration_ms: 0,
        last_active_at: BASE_MS + 2,
      },
    ]);
  });

  it('puts calls in their UTC hour and leaves records without ts out', () => {
    const result = accumulate([
      { ts: BASE_MS + 3 * HOUR_MS, cost_usd: 1 },
      { ts: BASE_MS + 27 * HOUR_MS + 59 * 60_000, cost_usd: 2 },
      { cost_usd: 4 },
    ]).result();

    expect(result.by_hour_utc[3]).toEqual({ hour_utc: 3, calls: 2, cost_usd: 3 });
    expect(result.by_hour_utc.reduce((sum, row) => sum + row.calls, 0)).toBe(2);
    expect(result.by_hour_utc.map((row) => row.hour_utc)).toEqual(Array.from({ length: 24 }, (_, hour) => hour));
  });

  it('orders cost_vs_speed fastest first', () => {
    const result = accumulate([
      { model: 'slow', duration_ms: 900, cost_usd: 0.1 },
      { model: 'fast', duration_ms: 100, cost_usd: 0.3 },
      { model: 'fast', duration_ms: 300, cost_usd: 0.1 },
    ]).result();

    expect(result.cost_vs_speed).toEqual([
      { model: 'fast', avg_cost_usd: 0.2, avg_duration_ms: 200, calls: 2 },
      { model: 'slow', avg_cost_usd: 0.1, avg_duration_ms: 900, calls: 1 },
    ]);
  });
});

describe('ReportAccumulator summaries', () => {
  const job = (jobId: string, pipeline: string, status: string, tsMs: number, extra: object = {}) => ({
    job_id: jobId,
    install_id: 'i1',
    tier: 'pro',
    pipeline,
    backend: 'gemini',
    model: `${pipeline}-model`,
    status,
    ts: tsMs,
    cost_usd: 0.5,
    duration_ms: 1000,
    ...extra,
  });

  it('rolls up a job and derives its status', () => {
    const result = accumulate([
      job('ok', 'transcribe', 'success', BASE_MS),
      job('ok', 'analyze', 'success', BASE_MS + 5000, { backend: 'hardware' }),
      job('failed', 'transcribe', 'success', BASE_MS + 1000),
      job('failed', 'analyze', 'error', BASE_MS + 2000),
      job('refused', 'transcribe', 'refused', BASE_MS + 3000),
      job('cut', 'transcribe', 'partial', BASE_MS + 4000),
      job('cut', 'analyze', 'success', BASE_MS + 4500),
      { status: 'success', ts: BASE_MS },
    ]).result();

    expect(result.by_summary.map((row) => [row.job_id, row.status])).toEqual([
      ['ok', 'success'],
      ['cut', 'partial'],
      ['refused', 'error'],
      ['failed', 'error'],
    ]);
    expect(result.by_summary[0]).toEqual({
      job_id: 'ok',
      install_id: 'i1',
      tier: 'pro',
      started_at: BASE_MS,
      completed_at: BASE_MS + 5000,
      transcribe_backend: 'gemini',
      transcribe_model: 'transcribe-model',
      analyze_backend: 'hardware',
      analyze_model: 'analyze-model',
      total_cost_usd: 1,
      total_duration_ms: 2000,
      status: 'success',
      had_transcribe: true,
      had_analyze: true,
    });
    expect(result.by_summary[2]!.had_analyze).toBe(false);
    expect(result.summary.total_summaries).toBe(4);
  });

  it('lists only the newest summaries when limited, counting all', () => {
    const records = Array.from({ length: 10 }, (_, index) => job(`j${index}`, 'analyze', 'success', BASE_MS + index));
    const accumulator = accumulate(records, { summaries: 3 });

    expect(accumulator.result().by_summary.map((row) => row.job_id)).toEqual(['j9', 'j8', 'j7']);
    expect(accumulator.summaryCount).toBe(10);
  });
});

describe('ReportAccumulator errors and performance', () => {
  it('keeps the newest errors in time order whatever the arrival order', () => {
    const records = Array.from({ length: 200 }, (_, index) => ({
      ts: BASE_MS + ((index * 7919) % 200) * 1000,
      status: 'error',
      error: `upstream 500 on request ${index}`,
    }));
    const { errors } = accumulate([...records, { ts: BASE_MS + 10_000_000, status: 'success' }]).result();

    expect(errors).toHaveLength(50);
    expect(errors.map((row) => row.ts)).toEqual(Array.from({ length: 50 }, (_, index) => BASE_MS + (199 - index) * 1000));
  });

  it('cuts error texts and adds their signature', () => {
    const { errors } = accumulate([
      { ts: BASE_MS, status: 'partial', error: `timed out after 120000ms ${'x'.repeat(400)}`, attempts: 3, install_id: 'i1' },
    ]).result();

    expect(errors[0]!.error).toHaveLength(280);
    expect(errors[0]!.signature.startsWith('timed out after <number>ms x')).toBe(true);
    expect(errors[0]!.attempts).toBe(3);
    expect(errors[0]!.install_id).toBe('i1');
    expect(errors[0]!.model).toBeNull();
  });

  it('measures speed and reliability per pipeline and model', () => {
    const base = { pipeline: 'transcribe', model: 'm1' };
    const { perf_by_model: perf } = accumulate([
      { ...base, status: 'success', duration_ms: 60_000, audio_seconds: 120, input_tokens: 2000 },
      { ...base, status: 'success', duration_ms: 30_000, audio_seconds: 60, input_tokens: 1000 },
      { ...base, status: 'error', duration_ms: 999_999, audio_seconds: 60, error: 'request 9078a905-147c-4abc-9def-00000000147c timed out' },
      { ...base, status: 'error', error: 'request db7dc782-072a-4abc-9def-00000000072a timed out' },
      { ...base, status: 'partial', error: 'truncated' },
      { ...base, status: 'refused', error: 'quota' },
      { pipeline: 'transcribe', status: 'refused', error: 'monthly quota exhausted' },
    ]).result();

    expect(perf).toEqual([
      {
        pipeline: 'transcribe',
        model: 'm1',
        calls: 6,
        success: 2,
        errors: 2,
        refused: 1,
        partials: 1,
        failures: 3,
        success_rate: 0.5,
        ms_per_audio_minute: 30_000,
        ms_per_1k_input_tokens: 30_000,
        total_audio_minutes: 4,
        top_errors: [
          { signature: 'request <uuid> timed out', count: 2 },
          { signature: 'quota', count: 1 },
          { signature: 'truncated', count: 1 },
        ],
      },
    ]);
  });

  it('reports null rates for a group without the inputs', () => {
    const { perf_by_model: perf } = accumulate([{ pipeline: 'analyze', model: 'm', status: 'refused' }]).result();
    expect(perf[0]!.success_rate).toBeNull();
    expect(perf[0]!.ms_per_audio_minute).toBeNull();
    expect(perf[0]!.ms_per_1k_input_tokens).toBeNull();
    expect(perf[0]!.total_audio_minutes).toBeNull();
  });
});

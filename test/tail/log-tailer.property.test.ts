import { appendFile, copyFile, mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PrometheusSink } from '../../src/metrics/prometheus-sink.js';
import { LogTailer } from '../../src/tail/log-tailer.js';
import { sumFamily } from '../support/service.js';

type Step =
  | { kind: 'append'; count: number }
  | { kind: 'partial'; splitFraction: number }
  | { kind: 'rotate' }
  | { kind: 'delete'; pick: boolean[] }
  | { kind: 'clear' }
  | { kind: 'copyTruncate' }
  | { kind: 'restartTailer' }
  | { kind: 'appendWhileStopped'; count: number; rotate: boolean };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('partial' as const), splitFraction: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rotate' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copyTruncate' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restartTailer' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('appendWhileStopped' as const), count: fc.integer({ min: 0, max: 5 }), rotate: fc.boolean() }),
  },
);

/**
 * A writer (the real AuditLog, plus copy-and-truncate and half-written lines
 * done from outside) and a tailer following its live file. The model is the
 * set of distinct records ever written.
 */
class Harness {
  private log!: AuditLog;
  private tailer!: LogTailer;
  private sink!: PrometheusSink;
  private nextJob = 0;
  private written = 0;
  private liveJobIds: string[] = [];
  private readonly statePath: string;

  constructor(private readonly dataDir: string) {
    this.statePath = join(dataDir, 'tail-state.json');
  }

  async open(): Promise<void> {
    this.log = await AuditLog.open({ dataDir: this.dataDir });
    await this.startTailer();
  }

  async close(): Promise<void> {
    await this.tailer.stop();
    await this.log.close();
  }

  async run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'append':
        await this.append(step.count);
        break;
      case 'partial': {
        const line = this.newLine();
        const split = Math.max(1, Math.floor(step.splitFraction * (line.length - 1)));
        await appendFile(this.log.livePath, line.slice(0, split));
        await this.tailer.poll();
        await this.expectCounted(this.written - 1);
        await appendFile(this.log.livePath, line.slice(split));
        break;
      }
      case 'rotate':
        await this.log.rotate();
        this.liveJobIds = [];
        break;
      case 'delete': {
        const jobIds = this.liveJobIds.filter((_jobId, index) => step.pick[index % step.pick.length]);
        await this.log.deleteByJobIds(jobIds);
        this.liveJobIds = this.liveJobIds.filter((jobId) => !jobIds.includes(jobId));
        break;
      }
      case 'clear':
        await this.log.clearAll();
        this.liveJobIds = [];
        break;
      case 'copyTruncate':
        await copyFile(this.log.livePath, `${this.log.livePath}.copy-${this.nextJob}`);
        await truncate(this.log.livePath, 0);
        this.liveJobIds = [];
        break;
      case 'restartTailer':
        await this.tailer.stop();
        await this.startTailer();
        break;
      case 'appendWhileStopped':
        await this.tailer.stop();
        await this.append(step.count);
        if (step.rotate) {
          await this.log.rotate();
          this.liveJobIds = [];
          await this.append(step.count);
        }
        await this.startTailer();
        break;
    }
    await this.tailer.poll();
    await this.expectCounted(this.written);
  }

  private async startTailer(): Promise<void> {
    this.sink = new PrometheusSink({ version: 'test', processMetrics: false });
    this.tailer = await LogTailer.start({ path: this.log.livePath, sink: this.sink, statePath: this.statePath, watch: false, pollIntervalMs: 60_000 });
  }

  private async append(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.log.append(this.newLine())));
  }

  private newLine(): string {
    this.nextJob += 1;
    this.written += 1;
    const jobId = `job-${this.nextJob}`;
    this.liveJobIds.push(jobId);
    return `${JSON.stringify({ ts: 1_796_000_000_000 + this.nextJob, job_id: jobId, tier: 'core', status: 'success', cost_usd: 0.25 })}\n`;
  }

  private async expectCounted(records: number): Promise<void> {
    const exposition = await this.sink.registry.metrics();
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(records);
    expect(sumFamily(exposition, 'relay_cost_usd_total')).toBeCloseTo(records * 0.25, 6);
  }
}

describe('LogTailer under random writer operations', () => {
  it('counts each distinct record written exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 15 }), async (steps) => {
        const dataDir = await mkdtemp(join(tmpdir(), 'relay-metrics-tail-property-'));
        const harness = new Harness(dataDir);
        try {
          await harness.open();
          for (const step of steps) await harness.run(step);
          await harness.close();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});

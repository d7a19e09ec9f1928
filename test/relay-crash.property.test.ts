import { appendFile, mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIVE_LOG_NAME } from '../src/audit/log-files.js';
import { createRelayMetrics, type RelayMetrics } from '../src/relay.js';
import { FaultyFileSystem } from './support/faulty-file-system.js';
import { readLogRecords } from './support/log-contents.js';
import { sumFamily } from './support/service.js';

type Maintenance = 'none' | 'rotate' | 'delete' | 'clear';

type Step =
  | { kind: 'append'; costsCents: number[] }
  | { kind: 'rotate' }
  | { kind: 'delete'; pick: boolean[] }
  | { kind: 'clear' }
  | { kind: 'restart' }
  | { kind: 'crash'; during: Maintenance; pick: boolean[]; costsCents: number[]; delayTicks: number; cutFraction: number };

const costsArbitrary = fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 12 });
const pickArbitrary = fc.array(fc.boolean(), { minLength: 1, maxLength: 5 });

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), costsCents: costsArbitrary }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rotate' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: pickArbitrary }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      during: fc.constantFrom<Maintenance>('none', 'rotate', 'delete', 'clear'),
      pick: pickArbitrary,
      costsCents: costsArbitrary,
      delayTicks: fc.integer({ min: 0, max: 12 }),
      cutFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

interface CallRecord {
  job_id: string;
  cost_usd: number;
  input_tokens: number;
  [field: string]: unknown;
}

/**
 * Drives one relay through a sequence of steps and keeps the model: the
 * acknowledged records still in the log, in log order, and the totals of
 * every record ever acknowledged.
 */
class Harness {
  private fileSystem = new FaultyFileSystem();
  private relay!: RelayMetrics;
  private nextJob = 0;
  /** Acknowledged, not deleted records, in the order of the log files. */
  private sequence: CallRecord[] = [];
  /** Index in `sequence` of the first record of the live file. */
  private liveStart = 0;
  private acknowledged = { calls: 0, costUsd: 0, tokens: 0 };

  constructor(private readonly dataDir: string) {}

  async open(): Promise<void> {
    this.fileSystem = new FaultyFileSystem();
    this.relay = await createRelayMetrics({ dataDir: this.dataDir, fileSystem: this.fileSystem, processMetrics: false, checkpointIntervalMs: 0 });
  }

  close(): Promise<void> {
    return this.relay.close();
  }

  async run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'append': {
        const records = step.costsCents.map((cents) => this.newRecord(cents));
        const results = await Promise.all(records.map((record) => this.relay.recordCall(record)));
        expect(results.every((result) => result.ok)).toBe(true);
        for (const record of records) this.acknowledge(record);
        this.sequence.push(...records);
        return;
      }
      case 'rotate':
        await this.relay.auditLog.rotate();
        this.liveStart = this.sequence.length;
        return;
      case 'delete': {
        const jobIds = this.pickLiveJobIds(step.pick);
        await this.relay.auditLog.deleteByJobIds(jobIds);
        this.sequence = this.sequence.filter((record) => !jobIds.has(record.job_id));
        return;
      }
      case 'clear':
        await this.relay.auditLog.clearAll();
        this.sequence = this.sequence.slice(0, this.liveStart);
        return;
      case 'restart':
        await this.relay.close();
        await this.open();
        return;
      case 'crash':
        await this.crash(step);
        return;
    }
  }

  /** Checks the two properties: the log contains exactly the model's records, and counters equal every acknowledged record. */
  async check(): Promise<void> {
    const inLog = (await readLogRecords(this.dataDir)).map((record) => record.job_id);
    expect(inLog).toEqual(this.sequence.map((record) => record.job_id));
    expect((await readdir(this.dataDir)).filter((name) => name.includes('.tmp-')), 'temporary files left behind').toEqual([]);

    const exposition = await this.relay.registry.metrics();
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(this.acknowledged.calls);
    expect(sumFamily(exposition, 'relay_cost_usd_total')).toBeCloseTo(this.acknowledged.costUsd, 6);
    expect(sumFamily(exposition, 'relay_tokens_total')).toBe(this.acknowledged.tokens);
  }

  private async crash(step: Extract<Step, { kind: 'crash' }>): Promise<void> {
    const before = this.sequence;
    const deleteIds = this.pickLiveJobIds(step.pick);
    let maintenanceDone = false;
    let maintenanceSettled = false;
    const maintenance = this.startMaintenance(step.during, deleteIds);
    void maintenance?.then(
      () => (maintenanceDone = maintenanceSettled = true),
      () => (maintenanceSettled = true),
    );

    const pending = step.costsCents.map((cents) => this.newRecord(cents));
    const acknowledgedIds = new Set<string>();
    for (const record of pending) {
      void this.relay.recordCall(record).then((result) => {
        if (result.ok) acknowledgedIds.add(record.job_id);
      });
    }
    for (let tick = 0; tick < step.delayTicks; tick += 1) await new Promise((resolve) => setImmediate(resolve));
    await this.fileSystem.crash();
    // Rename and read calls of a maintenance task do not go through the seam,
    // so the abandoned instance runs on until its next seam call hangs. That is
    // a later crash point; waiting for it keeps the old instance from touching
    // files once the new one has opened them.
    for (let waited = 0; maintenance !== undefined && !maintenanceSettled && this.fileSystem.hungCalls === 0; waited += 1) {
      if (waited > 2_000) throw new Error('the crashed instance never reached a hanging call');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (step.during === 'none') maintenanceDone = true;

    await this.tearUnacknowledgedTail(acknowledgedIds, new Set(pending.map((record) => record.job_id)), step.cutFraction);
    // The crashed process still holds the lock by pid (this very process), so it is removed as an operator would.
    await rm(join(this.dataDir, 'relay-metrics.lock'));
    await this.open();

    const written = pending.filter((record) => acknowledgedIds.has(record.job_id));
    for (const record of written) this.acknowledge(record);
    const applied = this.applyMaintenance(step.during, before, deleteIds);
    const candidates = maintenanceDone ? [applied] : [before, applied];

    const inLog = (await readLogRecords(this.dataDir)).map((record) => record.job_id);
    const match = candidates.map((candidate) => [...candidate, ...written]).find((candidate) => sameJobIds(candidate, inLog));
    expect(match, `log after a crash during ${step.during}: ${inLog.join(',')}`).toBeDefined();
    this.sequence = match!;
    this.liveStart = this.sequence.length - (await this.countLiveRecords());
  }

  private startMaintenance(during: Maintenance, deleteIds: Set<string>): Promise<unknown> | undefined {
    if (during === 'rotate') return this.relay.auditLog.rotate();
    if (during === 'delete') return this.relay.auditLog.deleteByJobIds(deleteIds);
    if (during === 'clear') return this.relay.auditLog.clearAll();
    return undefined;
  }

  private applyMaintenance(during: Maintenance, before: CallRecord[], deleteIds: Set<string>): CallRecord[] {
    if (during === 'delete') return before.filter((record) => !deleteIds.has(record.job_id));
    if (during === 'clear') return before.slice(0, this.liveStart);
    return before;
  }

  // Unacknowledged lines are always a suffix of the live file, because writes
  // complete in queue order. The crash leaves a random prefix of the first of them.
  private async tearUnacknowledgedTail(acknowledgedIds: Set<string>, pendingIds: Set<string>, cutFraction: number): Promise<void> {
    const livePath = join(this.dataDir, LIVE_LOG_NAME);
    const text = await readFile(livePath).catch(() => undefined);
    if (text === undefined) return;

    let offset = 0;
    for (const line of text.toString('utf8').split('\n').slice(0, -1)) {
      const jobId = (JSON.parse(line) as CallRecord).job_id;
      const lineBytes = Buffer.byteLength(line) + 1;
      if (pendingIds.has(jobId) && !acknowledgedIds.has(jobId)) {
        await truncate(livePath, offset + Math.floor(cutFraction * (lineBytes - 1)));
        return;
      }
      offset += lineBytes;
    }
    if (cutFraction > 0.5) await appendFile(livePath, '{"job_id":"torn-by-cra');
  }

  private async countLiveRecords(): Promise<number> {
    const text = await readFile(join(this.dataDir, LIVE_LOG_NAME), 'utf8');
    return text === '' ? 0 : text.split('\n').length - 1;
  }

  private pickLiveJobIds(pick: boolean[]): Set<string> {
    const live = this.sequence.slice(this.liveStart);
    return new Set(live.filter((_record, index) => pick[index % pick.length]).map((record) => record.job_id));
  }

  private newRecord(costCents: number): CallRecord {
    this.nextJob += 1;
    return {
      job_id: `job-${this.nextJob}`,
      tier: 'pro',
      pipeline: 'analyze',
      backend: 'gemini',
      model: `model-${this.nextJob % 3}`,
      status: this.nextJob % 5 === 0 ? 'error' : 'success',
      cost_usd: costCents / 100,
      input_tokens: this.nextJob,
    };
  }

  private acknowledge(record: CallRecord): void {
    this.acknowledged.calls += 1;
    this.acknowledged.costUsd += record.cost_usd;
    this.acknowledged.tokens += record.input_tokens;
  }
}

function sameJobIds(records: readonly CallRecord[], jobIds: readonly unknown[]): boolean {
  return records.length === jobIds.length && records.every((record, index) => record.job_id === jobIds[index]);
}

describe('relay under appends, maintenance, restarts and crashes', () => {
  it('keeps log and counters equal to acknowledged records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 14 }), async (steps) => {
        const dataDir = await mkdtemp(join(tmpdir(), 'relay-metrics-property-'));
        const harness = new Harness(dataDir);
        try {
          await harness.open();
          for (const step of steps) {
            await harness.run(step);
            await harness.check();
          }
          await harness.close();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobOwners, NO_OWNER } from '../../src/report/job-owners.js';
import { ReportAccumulator } from '../../src/report/report-accumulator.js';

describe('JobOwners', () => {
  it('keeps the first claimant as owner', () => {
    const owners = new JobOwners();

    expect(owners.claim(3, 7)).toBe(NO_OWNER);
    expect(owners.claim(3, 7)).toBe(7);
    expect(owners.claim(3, 9)).toBe(7);
    // A job index pages past the first one, claimed before any job between them.
    expect(owners.claim(50_000, 9)).toBe(NO_OWNER);
    expect(owners.claim(50_000, 2)).toBe(9);
    expect(owners.claim(20_000, 2)).toBe(NO_OWNER);
  });
});

// Counting distinct jobs per customer through first owners must equal counting (customer, job) pairs in a set.
describe('summaries per install and per license', () => {
  const recordArbitrary = fc.record({
    install_id: fc.option(fc.constantFrom('i1', 'i2', 'i3'), { nil: undefined }),
    license_fingerprint: fc.option(fc.constantFrom('L1', 'L2'), { nil: undefined }),
    job_id: fc.option(fc.constantFrom('j1', 'j2', 'j3', 'j4', 'j5'), { nil: undefined }),
    cost_usd: fc.integer({ min: 0, max: 100 }),
  });

  function distinctJobs(records: Array<Record<string, unknown>>, key: 'install_id' | 'license_fingerprint'): Map<string, number> {
    const pairs = new Map<string, Set<string>>();
    for (const record of records) {
      const customer = record[key] as string | undefined;
      if (customer === undefined) continue;
      const jobs = pairs.get(customer) ?? new Set<string>();
      if (record.job_id !== undefined) jobs.add(record.job_id as string);
      pairs.set(customer, jobs);
    }
    return new Map([...pairs].map(([customer, jobs]) => [customer, jobs.size]));
  }

  it('count shared jobs once per customer', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 60 }), (records) => {
        const accumulator = new ReportAccumulator({ topCustomers: 10 });
        for (const record of records) accumulator.add(record);
        const result = accumulator.result();

        const installs = new Map(result.by_install.map((row) => [row.install_id, row.summaries]));
        const licenses = new Map(result.by_license.map((row) => [row.license_fingerprint, row.summaries]));
        expect(installs).toEqual(distinctJobs(records, 'install_id'));
        expect(licenses).toEqual(distinctJobs(records, 'license_fingerprint'));
      }),
    );
  });
});

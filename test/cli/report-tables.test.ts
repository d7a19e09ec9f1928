import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReportTables } from '../../src/cli/report-tables.js';
import { createReport } from '../../src/report/stream-report.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url);

describe('formatReportTables', () => {
  it('prints every section with at most 20 rows', async () => {
    const dataDir = await makeTempDir();
    await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
    const report = await createReport({ dataDir, sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER, tierPricesUsd: { pro: 12, max: 39 } });
    const text = formatReportTables(report);

    for (const title of ['Summary', 'By tier', 'By model', 'By pipeline', 'By backend', 'Top installs by cost', 'Top licenses by cost', 'Newest summaries', 'Performance per pipeline and model', 'Newest errors', 'Revenue estimate (monthly)']) {
      expect(text).toContain(`\n${title}`);
    }
    expect(text).toContain(`  … ${report.by_summary.length - 20} more rows; use --json for all`);
    expect(text).toContain(report.by_install[0]!.install_id);
    expect(text).toContain(`Revenue ${report.revenue.monthly_revenue_usd} USD`);
  });

  it('marks empty tables', async () => {
    const report = await createReport({ dataDir: await makeTempDir(), sinceMs: 0, untilMs: 1 });
    const text = formatReportTables(report);

    expect(text).toContain('By model\n  (none)');
    expect(text).toContain('0 records from 0 files');
  });
});

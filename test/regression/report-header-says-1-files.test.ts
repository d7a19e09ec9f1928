import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReportTables } from '../../src/cli/report-tables.js';
import { createReport } from '../../src/report/stream-report.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url);

// The demo's report opened with "11667 records from 1 files (3 lines skipped)".
describe('report header over one log file', () => {
  it('uses the singular', async () => {
    const dataDir = await makeTempDir();
    await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
    const report = await createReport({ dataDir, sinceMs: 0, untilMs: Number.MAX_SAFE_INTEGER });

    const header = formatReportTables(report).split('\n')[0]!;

    expect(header).toContain('from 1 file (');
    expect(header).not.toContain('1 files');
  });

  it('keeps the plural for none', async () => {
    const report = await createReport({ dataDir: await makeTempDir(), sinceMs: 0, untilMs: 1 });

    expect(formatReportTables(report).split('\n')[0]).toContain('0 records from 0 files');
  });
});

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { CLI_PATH } from '../support/service.js';
import { describeWithTool } from '../support/tools.js';

const execFileAsync = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runBackfill(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI_PATH, 'backfill', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const START_MS = Date.UTC(2026, 10, 1, 12, 0, 0);
const MINUTE_MS = 60_000;
const ODD_MODEL = 'model "quoted" \\ back\nslash';

function line(record: Record<string, unknown>): string {
  return `${JSON.stringify(record)}\n`;
}

describeWithTool('promtool', 'relay-metrics backfill', () => {
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'relay-backfill-test-'));
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  describe('on a data directory with an archive and a live log', () => {
    let prometheus: RunningPrometheus;
    let summary: Record<string, unknown>;
    const lastMs = START_MS + 40 * MINUTE_MS;

    beforeAll(async () => {
      const dataDir = join(workDir, 'data');
      await mkdir(dataDir);
      // The archive contains a record later than the first one of the live log, so only a sort puts them in order.
      await writeFile(
        join(dataDir, 'relay-calls-2026-11-01.ndjson'),
        line({ ts: START_MS, tier: 'pro', install_id: 'i1', license_fingerprint: 'l1', status: 'success', model: 'm1', cost_usd: 0.5 }) +
          line({ ts: START_MS + 20 * MINUTE_MS, tier: 'pro', install_id: 'i2', status: 'error', model: 'm1', error: 'timeout after 30s' }),
      );
      await writeFile(
        join(dataDir, 'relay-calls.ndjson'),
        line({ ts: START_MS + 10 * MINUTE_MS, tier: 'core', install_id: 'i3', status: 'success', model: ODD_MODEL, cost_usd: -1 }) +
          line({ tier: 'core', status: 'success' }) +
          'not json\n' +
          line({ ts: lastMs, tier: 'max', install_id: 'i4', status: 'success', model: 'm1', cost_usd: 0.25 }),
      );

      const outDir = join(workDir, 'blocks');
      const result = await runBackfill([dataDir, '--out', outDir, '--interval', '1m', '--instance', 'relay-1:9477', '--tier-prices', 'pro=12']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      summary = JSON.parse(result.stdout) as Record<string, unknown>;

      prometheus = await startPrometheus({ configYaml: 'global:\n  scrape_interval: 15s\n', tsdbDir: outDir });
    }, 60_000);

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('reports what it read', () => {
      expect(summary.files).toBe(2);
      expect(summary.records).toBe(4);
      expect(summary.recordsWithoutTimestamp).toBe(1);
      expect(summary.badLines).toBe(1);
      expect(summary.from).toBe(new Date(START_MS).toISOString());
      expect(summary.to).toBe(new Date(lastMs).toISOString());
      expect(summary.scrapes).toBe(41);
    });

    it('ends with every record counted', async () => {
      const [calls] = await prometheus.query('sum(relay_calls_total)', lastMs / 1000);
      expect(Number(calls!.value[1])).toBe(4);
    });

    it('applies records in timestamp order across files', async () => {
      const before = await prometheus.query('sum(relay_calls_total)', (START_MS + 15 * MINUTE_MS) / 1000);
      expect(Number(before[0]!.value[1])).toBe(2);
    });

    it('labels samples with the job and the given instance', async () => {
      const series = await prometheus.query('relay_calls_total{tier="max"}', lastMs / 1000);
      expect(series).toHaveLength(1);
      expect(series[0]!.metric.job).toBe('relay-metrics');
      expect(series[0]!.metric.instance).toBe('relay-1:9477');
    });

    it('keeps a model name that needs escaping', async () => {
      const series = await prometheus.query('relay_calls_total{tier="core"}', lastMs / 1000);
      expect(series.map((entry) => entry.metric.model)).toEqual([ODD_MODEL]);
    });

    it('counts dropped values and errors by class', async () => {
      const [dropped] = await prometheus.query('relay_dropped_values_total{field="cost_usd", reason="negative"}', lastMs / 1000);
      expect(Number(dropped!.value[1])).toBe(1);
      const [timeouts] = await prometheus.query('relay_errors_total{error_class="timeout"}', lastMs / 1000);
      expect(Number(timeouts!.value[1])).toBe(1);
    });

    it('counts active users as of each sample and exports tier prices', async () => {
      const users = await prometheus.query('relay_active_users', lastMs / 1000);
      const usersByTier = Object.fromEntries(users.map((entry) => [entry.metric.tier, Number(entry.value[1])]));
      expect(usersByTier).toEqual({ core: 1, pro: 2, max: 1 });

      const [price] = await prometheus.query('relay_tier_price_usd{tier="pro"}', lastMs / 1000);
      expect(Number(price!.value[1])).toBe(12);
    });

    it('leaves out exporter process state', async () => {
      expect(await prometheus.query('relay_audit_log_size_bytes', lastMs / 1000)).toEqual([]);
      expect(await prometheus.query('relay_audit_append_failures_total', lastMs / 1000)).toEqual([]);
    });
  });

  describe('input errors', () => {
    let logPath: string;

    beforeAll(async () => {
      logPath = join(workDir, 'one.ndjson');
      await writeFile(logPath, line({ ts: START_MS, tier: 'core', status: 'success' }));
    });

    it('rejects an output directory that is not empty', async () => {
      const outDir = join(workDir, 'used');
      await mkdir(outDir);
      await writeFile(join(outDir, 'leftover'), '');

      const result = await runBackfill([logPath, '--out', outDir]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`output directory ${outDir} is not empty`);
    });

    it.each(['0s', '2h', '5', 'fast'])('rejects --interval %s', async (interval) => {
      const result = await runBackfill([logPath, '--out', join(workDir, 'unused'), '--interval', interval]);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--interval must be a duration from 1s to 1h such as 15s, 1m or 5m, got "${interval}"`);
    });

    it('names a promtool that cannot be run', async () => {
      const missing = join(workDir, 'no-such-promtool');
      const result = await runBackfill([logPath, '--out', join(workDir, 'out-missing-promtool'), '--promtool', missing]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot run promtool at ${missing} (ENOENT)`);
    });

    it('rejects a log path that does not exist', async () => {
      const result = await runBackfill([join(workDir, 'absent.ndjson'), '--out', join(workDir, 'out-absent')]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot read audit log');
    });

    it('rejects a log without timestamped records', async () => {
      const emptyLog = join(workDir, 'no-ts.ndjson');
      await writeFile(emptyLog, line({ tier: 'core' }));

      const result = await runBackfill([emptyLog, '--out', join(workDir, 'out-empty')]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no record with a valid ts');
      expect(await readdir(join(workDir, 'out-empty'))).toEqual([]);
    });

    it('requires --out and a log', async () => {
      expect((await runBackfill([logPath])).stderr).toContain('missing --out');
      expect((await runBackfill(['--out', join(workDir, 'x')])).stderr).toContain('missing LOG');
    });
  });
});

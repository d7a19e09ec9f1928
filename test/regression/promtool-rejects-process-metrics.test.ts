import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { createRelayMetrics } from '../../src/relay.js';
import { useTempDirs } from '../support/temp-dir.js';
import { describeWithTool } from '../support/tools.js';

const makeTempDir = useTempDirs();

// prom-client 15.1.3 names three process gauges `nodejs_active_*_total`, which
// promtool check metrics reports as non-counters with a `_total` suffix.
describeWithTool('promtool', 'process metrics in the exposition', () => {
  it('pass promtool check metrics', async () => {
    const relay = await createRelayMetrics({ dataDir: await makeTempDir() });
    await relay.recordCall({ tier: 'core', status: 'success' });
    const exposition = await relay.registry.metrics();
    await relay.close();

    expect(exposition).toContain('process_cpu_seconds_total');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

import { expect, it } from 'vitest';
import { createRelayMetrics } from '../../src/relay.js';
import { sumFamily } from '../support/service.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();

// relay_audit_log_size_bytes was set on open and after maintenance only, so it
// stayed at its start-up value however much was appended.
it('log size gauge follows appends', async () => {
  const relay = await createRelayMetrics({ dataDir: await makeTempDir(), processMetrics: false });
  expect(sumFamily(await relay.registry.metrics(), 'relay_audit_log_size_bytes')).toBe(0);

  await relay.recordCall({ ts: 1, tier: 'pro' });
  const exposition = await relay.registry.metrics();
  await relay.close();

  expect(sumFamily(exposition, 'relay_audit_log_size_bytes')).toBe('{"ts":1,"tier":"pro"}\n'.length);
});

// One run of a recordCall scenario, for `node --cpu-prof`: the runner uses
// it to show where the time goes when a target is not met.
// Usage: node --cpu-prof bench/profile-scenario.js burst|sequential
import { createRelayMetrics } from '../dist/relay.js';
import { loadSampleRecords, makeRecords, withTempDir } from './support.js';

const SCENARIOS = {
  // Three bursts, so the profile is not dominated by the first one's compilation.
  async burst(relay, samples) {
    for (let round = 0; round < 3; round += 1) {
      const records = makeRecords(samples, 100_000);
      await Promise.all(records.map((record) => relay.recordCall(record)));
    }
  },
  async sequential(relay, samples) {
    for (const record of makeRecords(samples, 40_000)) await relay.recordCall(record);
  },
};

const name = process.argv[2];
if (!(name in SCENARIOS)) {
  process.stderr.write(`usage: node bench/profile-scenario.js ${Object.keys(SCENARIOS).join('|')}\n`);
  process.exit(2);
}

const samples = await loadSampleRecords();
await withTempDir(`profile-${name}`, async (dir) => {
  const relay = await createRelayMetrics({ dataDir: dir });
  await SCENARIOS[name](relay, samples);
  await relay.close();
});

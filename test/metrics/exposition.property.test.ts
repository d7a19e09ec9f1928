import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createRelayMetrics } from '../../src/relay.js';
import { useTempDirs } from '../support/temp-dir.js';
import { describeWithTool } from '../support/tools.js';

const makeTempDir = useTempDirs();

// Any JSON value a client may send in a field: label-like strings with quotes,
// backslashes, newlines and astral characters, and numbers of every kind.
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.MAX_VALUE, Number.MIN_VALUE, 1e308, -1, 1e21),
);
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', 'other', 'unknown', '"', '\\', '\n', 'le', '+Inf', 'NaN'));
const anyValue = fc.oneof(anyString, anyNumber, fc.constant(null), fc.boolean());

const recordArbitrary = fc.record(
  {
    tier: anyValue,
    pipeline: anyValue,
    backend: anyValue,
    model: anyValue,
    status: anyValue,
    error: anyValue,
    duration_ms: anyValue,
    cost_usd: anyValue,
    input_tokens: anyValue,
    output_tokens: anyValue,
    thinking_tokens: anyValue,
    audio_seconds: anyValue,
    credit_charged: anyValue,
    install_id: anyValue,
    ts: anyValue,
  },
  { requiredKeys: [] },
);

function promtoolCheck(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describeWithTool('promtool', '/metrics for arbitrary input', () => {
  it('passes promtool check metrics whatever labels and numbers arrived', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArbitrary, { minLength: 1, maxLength: 30 }), async (records) => {
        const relay = await createRelayMetrics({ dataDir: await makeTempDir(), processMetrics: false, maxModels: 1000, checkpointIntervalMs: 0 });
        try {
          for (const record of records) await relay.recordCall(record);
          const exposition = await relay.registry.metrics();
          const check = promtoolCheck(exposition);
          expect(check.output).toBe('');
          expect(check.status).toBe(0);
        } finally {
          await relay.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

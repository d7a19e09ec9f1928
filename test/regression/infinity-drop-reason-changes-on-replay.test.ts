import { expect, it } from 'vitest';
import { normalizeCallRecord } from '../../src/record/normalize.js';
import { serializeRecord } from '../../src/record/serialize.js';

// 1e999 arrives as Infinity (not_finite) but is stored as the string
// "Infinity", so a replay after restart reported it as not_a_number.
it('non-finite drop reason survives replay', () => {
  const first = normalizeCallRecord(JSON.parse('{"ts":1,"cost_usd":1e999,"duration_ms":-1e999}'), 0);
  if (!first.ok) throw new Error(first.reason);
  const line = serializeRecord(first.record, first.dropped);
  if (!line.ok) throw new Error(line.reason);

  const replayed = normalizeCallRecord(JSON.parse(line.line), 0);
  if (!replayed.ok) throw new Error(replayed.reason);

  expect(first.dropped).toEqual([
    { field: 'duration_ms', reason: 'not_finite' },
    { field: 'cost_usd', reason: 'not_finite' },
  ]);
  expect(replayed.dropped).toEqual(first.dropped);
});

import { expect, it } from 'vitest';
import { ActiveUsers } from '../../src/metrics/active-users.js';
import { normalizeCallRecord } from '../../src/record/normalize.js';

const NOW_MS = Date.UTC(2026, 11, 4);

function call(record: object) {
  const result = normalizeCallRecord(record, NOW_MS);
  if (!result.ok) throw new Error(result.reason);
  return result.call;
}

// A ts in microseconds passed validation (it is below MAX_SAFE_INTEGER), and
// its user then counted as active forever and was never forgotten.
it('future ts is not an active user', () => {
  const users = new ActiveUsers();
  users.observe(call({ tier: 'max', ts: NOW_MS * 1000, license_fingerprint: 'micro' }));
  users.observe(call({ tier: 'max', ts: NOW_MS + 3_600_000, license_fingerprint: 'skewed' }));
  users.observe(call({ tier: 'max', ts: NOW_MS - 1_000, license_fingerprint: 'normal' }));

  expect(users.countByTier(NOW_MS).get('max')).toBe(2);
  expect(users.lastSeen().find(([tier]) => tier === 'max')?.[1].map(([id]) => id).sort()).toEqual(['normal', 'skewed']);
});

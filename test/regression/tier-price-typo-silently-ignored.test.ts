import { describe, expect, it } from 'vitest';
import { parseTierPrices } from '../../src/cli/option-values.js';
import { UsageError } from '../../src/cli/usage-error.js';

// "pro=1=2" used to parse as pro=1, and a tier name outside core, pro and max
// ("Pro=12", "premium=12") was stored, then never read, so its price became 0
// without a word.
describe('tier prices with a mistake', () => {
  const cases = [
    { value: 'pro=1=2', expected: '"pro=1=2"' },
    { value: 'Pro=12', expected: '"Pro"' },
    { value: 'core=0,premium=12', expected: '"premium"' },
    { value: '__proto__=5', expected: '"__proto__"' },
  ];

  for (const { value, expected } of cases) {
    it(`rejects ${value}`, () => {
      expect(() => parseTierPrices(value, '--tier-prices')).toThrow(UsageError);
      expect(() => parseTierPrices(value, '--tier-prices')).toThrow(expected);
    });
  }

  it('parses every known tier', () => {
    expect(parseTierPrices('core=0, pro=12,max=39.5', '--tier-prices')).toEqual({ core: 0, pro: 12, max: 39.5 });
  });
});

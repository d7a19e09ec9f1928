import { describe, expect, it } from 'vitest';
import { NO_STRING, StringIds } from '../../src/report/string-ids.js';

describe('StringIds', () => {
  it('gives equal strings one id and different strings different ids', () => {
    const ids = new StringIds();
    const gemini = ids.idOf('gemini');
    const hardware = ids.idOf('hardware');

    // A string built at run time, as JSON.parse returns, is a different object with the same value.
    expect(ids.idOf(['gem', 'ini'].join(''))).toBe(gemini);
    expect(hardware).not.toBe(gemini);
    expect(ids.valueOf(gemini)).toBe('gemini');
    expect(ids.valueOf(hardware)).toBe('hardware');
  });

  it('maps an absent string to NO_STRING and back to null', () => {
    const ids = new StringIds();

    expect(ids.idOf(undefined)).toBe(NO_STRING);
    expect(ids.valueOf(NO_STRING)).toBeNull();
    // The empty string is a value, not an absence.
    expect(ids.valueOf(ids.idOf(''))).toBe('');
  });
});

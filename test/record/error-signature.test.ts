import { describe, expect, it } from 'vitest';
import { errorSignature, MAX_SIGNATURE_LENGTH } from '../../src/record/error-signature.js';

describe('errorSignature', () => {
  it.each([
    ['request 9078a905-147c-4abc-9def-00000000147c timed out after 120000ms', 'request <uuid> timed out after <number>ms'],
    ['ECONNRESET socket hang up 10.0.0.12:8443', 'ECONNRESET socket hang up 10.0.0.12:<port>'],
    ['connect ECONNREFUSED api.example.com:443', 'connect ECONNREFUSED api.example.com:<port>'],
    ['upstream 503 at https://generativelanguage.example/v1beta/models/m:generateContent', 'upstream 503 at <url>'],
    ['failed on 2026-12-04T10:00:00.123Z', 'failed on <timestamp>'],
    ['checksum 9f86d081884c7d65 mismatch', 'checksum <hex> mismatch'],
    ['  spaced\n  out  ', 'spaced out'],
  ])('normalizes %j', (input, expected) => {
    expect(errorSignature(input)).toBe(expected);
  });

  it('keeps short numbers and words', () => {
    expect(errorSignature('upstream 500 INTERNAL')).toBe('upstream 500 INTERNAL');
    expect(errorSignature('chunk 3/7 returned no speech (lost ~4 min)')).toBe('chunk 3/7 returned no speech (lost ~4 min)');
  });

  it('groups messages that differ only in ids', () => {
    const first = errorSignature('request 9078a905-147c-4abc-9def-00000000147c timed out after 120000ms');
    const second = errorSignature('request db7dc782-072a-4abc-9def-00000000072a timed out after 90000ms');
    expect(first).toBe(second);
  });

  it('cuts long texts to the maximum length', () => {
    expect(errorSignature('x '.repeat(500))).toHaveLength(MAX_SIGNATURE_LENGTH);
  });
});

import { describe, expect, it } from 'vitest';
import { errorSignature, MAX_SCANNED_LENGTH } from '../../src/record/error-signature.js';

// Several signature rules rescan from every word start, so their cost grew with
// the square of the text. A 32,000-character error text took 1.7 s on a 2-core
// VM, so a megabyte one would stall GET /api/report for about half an hour.
describe('error signature of a huge text', () => {
  const hostileTexts = [
    { name: 'dotted run', text: 'a.'.repeat(500_000) },
    { name: 'dashed run', text: 'a-'.repeat(500_000) },
    { name: 'digit run', text: '1.'.repeat(500_000) },
  ];

  for (const { name, text } of hostileTexts) {
    it(`reads a bounded prefix of a ${name}`, () => {
      expect(errorSignature(text)).toBe(errorSignature(text.slice(0, MAX_SCANNED_LENGTH)));
    });
  }

  it('ignores text past the scanned prefix', () => {
    const prefix = 'upstream call failed: '.padEnd(MAX_SCANNED_LENGTH, 'x');
    expect(errorSignature(`${prefix} tail one`)).toBe(errorSignature(`${prefix} tail two`));
  });

  it('keeps a short text whole', () => {
    expect(errorSignature('deadline exceeded after 30000 ms at api.example.com:443')).toBe(
      'deadline exceeded after <number> ms at api.example.com:<port>',
    );
  });
});

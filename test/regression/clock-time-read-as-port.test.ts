import { describe, expect, it } from 'vitest';
import { errorSignature } from '../../src/record/error-signature.js';

// The original signature's port rule turned "12:34:56" into "12:<port>".
describe('clock time in an error text', () => {
  it('becomes a time placeholder, not a port', () => {
    const signature = errorSignature('deadline exceeded at 12:34:56 while waiting');
    expect(signature).toBe('deadline exceeded at <time> while waiting');
    expect(signature).not.toContain('<port>');
  });

  it('with fractions keeps a host port apart', () => {
    expect(errorSignature('at 09:05:01.250 from localhost:8080')).toBe('at <time> from localhost:<port>');
  });
});

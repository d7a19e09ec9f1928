import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/record/error-class.js';

describe('classifyError', () => {
  it.each([
    ['error', '429 RESOURCE_EXHAUSTED: quota exceeded for model gemini-3-flash-preview', 'rate_limited'],
    ['error', 'request 9078a905 timed out after 120000ms', 'timeout'],
    ['error', 'upstream 503 Service Unavailable at https://x.example/v1', 'upstream_5xx'],
    ['error', 'upstream 500 INTERNAL', 'upstream_5xx'],
    ['error', 'ECONNRESET socket hang up 10.0.0.12:8443', 'connection'],
    ['error', 'response blocked: SAFETY', 'blocked'],
    ['refused', 'monthly quota exhausted (core: 30/30)', 'quota'],
    ['partial', 'transcript truncated: chunk 3/3 returned no speech', 'truncated'],
    ['error', 'something odd', 'other'],
    ['error', undefined, 'other'],
    ['refused', undefined, 'quota'],
    ['partial', undefined, 'truncated'],
  ])('classifies status %s with %j as %s', (status, text, expected) => {
    expect(classifyError(status, text)).toBe(expected);
  });

  it('returns undefined for a success, even with an error text', () => {
    expect(classifyError('success', 'retried after 503')).toBeUndefined();
  });

  it('returns undefined for an unknown status without error text', () => {
    expect(classifyError('unknown', undefined)).toBeUndefined();
  });
});

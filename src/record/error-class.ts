/** Bounded classification of a failed call, safe to use as a metric label. */
export const ERROR_CLASSES = [
  'timeout',
  'rate_limited',
  'upstream_5xx',
  'connection',
  'blocked',
  'quota',
  'truncated',
  'other',
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

// Order matters: a provider's "429 RESOURCE_EXHAUSTED: quota exceeded" is rate
// limiting upstream, while "quota exhausted" without a 429 is the relay's own
// refusal, so the rate-limit rule runs before the quota rule.
const RULES: ReadonlyArray<readonly [ErrorClass, RegExp]> = [
  ['rate_limited', /\b429\b|RESOURCE_EXHAUSTED|rate.?limit|too many requests/i],
  ['timeout', /timed?.?out|timeout|ETIMEDOUT|deadline exceeded/i],
  ['upstream_5xx', /\b5\d\d\b|internal server error|service unavailable|bad gateway/i],
  ['connection', /ECONNRESET|ECONNREFUSED|ENOTFOUND|EPIPE|EHOSTUNREACH|socket hang up|network error/i],
  ['blocked', /blocked|SAFETY|content policy|PROHIBITED/i],
  ['quota', /quota/i],
  ['truncated', /truncat/i],
];

/**
 * Classifies a record that did not succeed. Returns undefined for a success,
 * and for a record of unknown status that carries no error text.
 */
export function classifyError(status: string, errorText: string | undefined): ErrorClass | undefined {
  if (status === 'success') return undefined;

  const isFailure = status === 'error' || status === 'refused' || status === 'partial';
  if (!isFailure && errorText === undefined) return undefined;

  if (errorText !== undefined) {
    for (const [errorClass, pattern] of RULES) {
      if (pattern.test(errorText)) return errorClass;
    }
  }

  if (status === 'refused') return 'quota';
  if (status === 'partial') return 'truncated';
  return 'other';
}

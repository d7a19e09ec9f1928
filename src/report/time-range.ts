/** Units of a relative time such as `7d`, in milliseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60 * 1000,
  h: 3600 * 1000,
  d: 24 * 3600 * 1000,
  w: 7 * 24 * 3600 * 1000,
};

export const ACCEPTED_TIME_FORMS =
  'an ISO 8601 time such as 2026-12-01 or 2026-12-01T08:00:00Z (UTC when no offset is given), ' +
  'a time relative to now such as 30m, 12h, 7d or 2w (units s, m, h, d, w), or "now"';

const MAX_DATE_MS = 8.64e15;
const RELATIVE_PATTERN = /^(\d{1,9})([smhdw])$/;
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Raised for a time bound that is neither ISO 8601 nor relative; the message names the value and the accepted forms. */
export class TimeBoundError extends Error {
  constructor(
    readonly option: string,
    readonly value: string,
  ) {
    super(`${option} ${JSON.stringify(value)} is not a valid time: use ${ACCEPTED_TIME_FORMS}`);
    this.name = 'TimeBoundError';
  }
}

/**
 * Parses one bound of a report range into milliseconds since the epoch.
 * `option` names the parameter in the error (`since`, `--until`).
 */
export function parseTimeBound(value: string, option: string, nowMs: number): number {
  const text = value.trim();
  if (text === 'now') return nowMs;

  const relative = RELATIVE_PATTERN.exec(text);
  if (relative !== null) {
    const boundMs = nowMs - Number(relative[1]) * UNIT_MS[relative[2]!]!;
    // Beyond this distance from 1970 a JavaScript Date is invalid.
    if (boundMs < -MAX_DATE_MS) throw new TimeBoundError(option, value);
    return boundMs;
  }

  const iso = ISO_PATTERN.exec(text);
  if (iso === null) throw new TimeBoundError(option, value);
  // Date.parse reads a date alone as UTC but a date and time without offset as
  // local time. Both are read as UTC here, so a report does not depend on the host's zone.
  const hasTime = text.includes('T');
  const parsedMs = Date.parse(hasTime && iso[1] === undefined ? `${text}Z` : text);
  if (!Number.isFinite(parsedMs)) throw new TimeBoundError(option, value);
  return parsedMs;
}

export interface TimeRange {
  sinceMs: number;
  untilMs: number;
}

/** Parses `since` and `until` (defaults: 30 days ago and now) and checks that the range is not reversed. */
export function parseTimeRange(
  since: string | undefined,
  until: string | undefined,
  nowMs: number,
  names: { since: string; until: string } = { since: 'since', until: 'until' },
): TimeRange {
  const sinceMs = parseTimeBound(since ?? '30d', names.since, nowMs);
  const untilMs = until === undefined ? nowMs : parseTimeBound(until, names.until, nowMs);
  if (sinceMs > untilMs) {
    throw new RangeError(
      `${names.since} (${new Date(sinceMs).toISOString()}) is after ${names.until} (${new Date(untilMs).toISOString()}): swap them or widen the range`,
    );
  }
  return { sinceMs, untilMs };
}

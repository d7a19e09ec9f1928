import type { CallRecord } from './call-record.js';
import type { DroppedValue } from './normalize.js';

export type SerializeResult = { ok: true; line: string } | { ok: false; reason: string };

/**
 * Serializes a record as one NDJSON line, newline included. Non-finite numbers
 * are written as the strings "NaN", "Infinity" and "-Infinity" because plain
 * JSON.stringify would turn them into null and the log must keep what arrived.
 */
export function serializeRecord(record: CallRecord, dropped: readonly DroppedValue[]): SerializeResult {
  const needsReplacer = dropped.some((value) => value.reason === 'not_finite');

  try {
    const json = needsReplacer ? JSON.stringify(record, keepNonFinite) : JSON.stringify(record);
    return { ok: true, line: `${json}\n` };
  } catch (error) {
    // BigInt values and circular references are the only ways JSON.stringify throws.
    return { ok: false, reason: `record cannot be serialized as JSON: ${(error as Error).message}` };
  }
}

function keepNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

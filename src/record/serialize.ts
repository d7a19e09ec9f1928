import type { CallRecord } from './call-record.js';
import type { DroppedValue } from './normalize.js';

export type SerializeResult = { ok: true; line: string } | { ok: false; reason: string };

/**
 * Serializes a record as one NDJSON line, newline included. Non-finite numbers
 * are written as the strings "NaN", "Infinity" and "-Infinity" because plain
 * JSON.stringify would turn them into null and the log must keep what arrived.
 */
export function serializeRecord(record: CallRecord, dropped: readonly DroppedValue[]): SerializeResult {
  const needsReplacer = hasNonFinite(dropped);

  try {
    const json = needsReplacer ? JSON.stringify(record, keepNonFinite) : JSON.stringify(record);
    return { ok: true, line: `${json}\n` };
  } catch (error) {
    // BigInt values and circular references are the only ways JSON.stringify throws.
    return { ok: false, reason: `record cannot be serialized as JSON: ${(error as Error).message}` };
  }
}

// A plain loop, not `some` with an arrow function: this runs for every
// recorded call, and the loop allocates nothing.
function hasNonFinite(dropped: readonly DroppedValue[]): boolean {
  for (const value of dropped) if (value.reason === 'not_finite') return true;
  return false;
}

function keepNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

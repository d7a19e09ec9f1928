import type { NormalizedCall, DroppedValue } from './normalize.js';

/** A destination for normalized calls: the Prometheus sink, the OpenTelemetry sink. */
export interface CallSink {
  /** Applies one call that the audit log already holds. Must not throw. */
  apply(call: NormalizedCall, dropped: readonly DroppedValue[]): void;
}

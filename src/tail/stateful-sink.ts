import type { CallSink } from '../record/sink.js';

/** A sink whose totals can be saved with the tail position and loaded again, as PrometheusSink's can. */
export interface StatefulSink extends CallSink {
  exportState(): Promise<unknown>;
  /** Throws, changing nothing, when the saved state does not fit. */
  importState(state: unknown): void;
}

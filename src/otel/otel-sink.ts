import type { BatchObservableResult, Meter } from '@opentelemetry/api';
import { DEFAULT_MAX_MODELS, ModelAdmission } from '../record/model-admission.js';
import type { NormalizedCall } from '../record/normalize.js';
import type { CallSink } from '../record/sink.js';
import { OTHER_VALUE } from './call-attributes.js';
import { CallTotalsStore, type CallTotals } from './call-totals.js';
import { createRelayInstruments, type RelayInstruments } from './instruments.js';

/** Instrumentation scope name of the meter that createRelayMetrics uses by default. */
export const METER_NAME = 'relay-metrics';

export interface OpenTelemetrySinkOptions {
  /** Meter to create the instruments on; without an SDK behind it, every instrument is a no-op. */
  meter: Meter;
  /** Distinct `gen_ai.request.model` values admitted before new ones become `_OTHER`. Default 50. */
  maxModels?: number;
  /** Models always admitted, not counted against `maxModels`. */
  modelAllowList?: readonly string[];
}

/**
 * The OpenTelemetry side of the exporter: applies calls to instruments named
 * after the GenAI semantic conventions plus `relay.*` counters. It uses
 * `@opentelemetry/api` only, because the application that owns the process
 * decides whether and how to set up the SDK.
 */
export class OpenTelemetrySink implements CallSink {
  private readonly instruments: RelayInstruments;
  private readonly totals = new CallTotalsStore();
  private readonly models: ModelAdmission;

  constructor(options: OpenTelemetrySinkOptions) {
    this.instruments = createRelayInstruments(options.meter);
    this.models = new ModelAdmission(options.maxModels ?? DEFAULT_MAX_MODELS, options.modelAllowList);

    const { calls, cost, credits, audioDuration, tokens } = this.instruments;
    options.meter.addBatchObservableCallback((observer) => this.observeTotals(observer), [
      calls,
      cost,
      credits,
      audioDuration,
      tokens,
    ]);
  }

  apply(call: NormalizedCall): void {
    const totals = this.totals.totalsFor({
      tier: call.tier,
      pipeline: call.pipeline,
      backend: call.backend,
      model: this.modelValue(call.model),
      status: call.status,
      errorClass: call.errorClass,
    });

    addToTotals(totals, call);
    this.recordHistograms(totals, call);
  }

  private modelValue(model: string | undefined): string | undefined {
    if (model === undefined || model === '') return undefined;

    const label = this.models.labelFor(model);
    return label === model ? model : OTHER_VALUE;
  }

  // NOTE: with an SDK behind the meter, every record() hashes the attribute
  // object again (sdk-metrics 2.12.0), so these three calls are most of the
  // sink's cost per call. OpenTelemetry has no asynchronous histogram that
  // would let the SDK read pre-aggregated buckets instead.
  private recordHistograms(totals: CallTotals, call: NormalizedCall): void {
    const { operationDuration, tokenUsage } = this.instruments;

    if (call.durationSeconds !== undefined) operationDuration.record(call.durationSeconds, totals.attributes);
    if (call.inputTokens !== undefined) tokenUsage.record(call.inputTokens, totals.inputUsageAttributes);

    // The conventions have only input and output token types, and count
    // reasoning as part of the output. Gemini reports thinking tokens apart
    // from output tokens and bills both as output, so the output measurement
    // is their sum; relay.tokens keeps the two apart.
    if (call.outputTokens !== undefined || call.thinkingTokens !== undefined) {
      tokenUsage.record((call.outputTokens ?? 0) + (call.thinkingTokens ?? 0), totals.outputUsageAttributes);
    }
  }

  private observeTotals(observer: BatchObservableResult): void {
    const { calls, cost, credits, audioDuration, tokens } = this.instruments;

    for (const totals of this.totals.values()) {
      observer.observe(calls, totals.calls, totals.attributes);
      observer.observe(cost, totals.costUsd, totals.attributes);
      observer.observe(credits, totals.creditsCharged, totals.attributes);
      observer.observe(audioDuration, totals.audioSeconds, totals.attributes);
      observer.observe(tokens, totals.tokens.input, totals.tokenTypeAttributes.input);
      observer.observe(tokens, totals.tokens.output, totals.tokenTypeAttributes.output);
      observer.observe(tokens, totals.tokens.thinking, totals.tokenTypeAttributes.thinking);
    }
  }
}

function addToTotals(totals: CallTotals, call: NormalizedCall): void {
  totals.calls += 1;
  if (call.costUsd !== undefined) totals.costUsd += call.costUsd;
  if (call.creditsCharged !== undefined) totals.creditsCharged += call.creditsCharged;
  if (call.audioSeconds !== undefined) totals.audioSeconds += call.audioSeconds;
  if (call.inputTokens !== undefined) totals.tokens.input += call.inputTokens;
  if (call.outputTokens !== undefined) totals.tokens.output += call.outputTokens;
  if (call.thinkingTokens !== undefined) totals.tokens.thinking += call.thinkingTokens;
}

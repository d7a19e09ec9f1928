import { ValueType, type Histogram, type Meter, type ObservableCounter } from '@opentelemetry/api';

/**
 * Bucket advice for `gen_ai.client.operation.duration`: the GenAI conventions'
 * boundaries (0.01 s to 81.92 s, doubling), continued by doubling to 2621.44 s
 * because a transcription can run for about 30 minutes.
 */
export const DURATION_BUCKETS_SECONDS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
  163.84, 327.68, 655.36, 1310.72, 2621.44,
] as const;

/** Bucket advice for `gen_ai.client.token.usage`, as the GenAI conventions give it. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

/** The instruments of the OpenTelemetry sink, created once per meter. */
export interface RelayInstruments {
  operationDuration: Histogram;
  tokenUsage: Histogram;
  calls: ObservableCounter;
  cost: ObservableCounter;
  credits: ObservableCounter;
  audioDuration: ObservableCounter;
  tokens: ObservableCounter;
}

/**
 * Creates the instruments on `meter`. The two GenAI histograms are
 * synchronous because OpenTelemetry has no asynchronous histogram. The relay
 * counters are observable, so a call only adds to plain numbers and the SDK
 * reads the totals when it collects.
 */
export function createRelayInstruments(meter: Meter): RelayInstruments {
  return {
    operationDuration: meter.createHistogram('gen_ai.client.operation.duration', {
      description: 'GenAI operation duration.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    }),
    tokenUsage: meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Number of input and output tokens used; output includes thinking tokens.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: [...TOKEN_BUCKETS] },
    }),
    calls: meter.createObservableCounter('relay.calls', {
      description: 'Relay calls recorded, by outcome.',
      unit: '{call}',
      valueType: ValueType.INT,
    }),
    // UCUM has no currency units, so US dollars are an annotation on the unit 1.
    cost: meter.createObservableCounter('relay.cost', {
      description: 'Provider cost of relay calls in US dollars.',
      unit: '{USD}',
    }),
    credits: meter.createObservableCounter('relay.credits', {
      description: 'User credits charged for relay calls.',
      unit: '{credit}',
    }),
    audioDuration: meter.createObservableCounter('relay.audio.duration', {
      description: 'Seconds of audio submitted for transcription.',
      unit: 's',
    }),
    tokens: meter.createObservableCounter('relay.tokens', {
      description: 'Tokens used by relay calls, with thinking tokens counted apart from output tokens.',
      unit: '{token}',
    }),
  };
}

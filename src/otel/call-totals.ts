import type { Attributes } from '@opentelemetry/api';
import { TOKEN_TYPES, type TokenType } from '../record/call-record.js';
import {
  buildCallAttributes,
  withGenAiTokenType,
  withRelayTokenType,
  type CallAttributeValues,
} from './call-attributes.js';

/**
 * Running totals of one attribute combination. The attribute objects are
 * built once, so recording a call allocates nothing.
 */
export interface CallTotals {
  readonly attributes: Attributes;
  readonly inputUsageAttributes: Attributes;
  readonly outputUsageAttributes: Attributes;
  readonly tokenTypeAttributes: Readonly<Record<TokenType, Attributes>>;
  calls: number;
  costUsd: number;
  creditsCharged: number;
  audioSeconds: number;
  tokens: Record<TokenType, number>;
}

/** The totals of every attribute combination seen, keyed by the bounded values. */
export class CallTotalsStore {
  private readonly byKey = new Map<string, CallTotals>();

  /** Returns the totals of `values`, creating them on first use. */
  totalsFor(values: CallAttributeValues): CallTotals {
    // Every field but the model comes from a fixed set without NUL bytes. The
    // model, the one free-form value, goes last, so two combinations never
    // share a key even when a model name contains a NUL byte.
    const key = `${values.tier}\0${values.pipeline}\0${values.backend}\0${values.status}\0${values.errorClass ?? ''}\0${values.model ?? ''}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;

    const created = createTotals(buildCallAttributes(values));
    this.byKey.set(key, created);
    return created;
  }

  values(): IterableIterator<CallTotals> {
    return this.byKey.values();
  }
}

function createTotals(attributes: Attributes): CallTotals {
  const tokenTypeAttributes = {} as Record<TokenType, Attributes>;
  for (const type of TOKEN_TYPES) tokenTypeAttributes[type] = withRelayTokenType(attributes, type);

  return {
    attributes,
    inputUsageAttributes: withGenAiTokenType(attributes, 'input'),
    outputUsageAttributes: withGenAiTokenType(attributes, 'output'),
    tokenTypeAttributes,
    calls: 0,
    costUsd: 0,
    creditsCharged: 0,
    audioSeconds: 0,
    tokens: { input: 0, output: 0, thinking: 0 },
  };
}

import type { Attributes } from '@opentelemetry/api';
import { ABSENT_LABEL, OTHER_LABEL, type TokenType } from '../record/call-record.js';
import type { ErrorClass } from '../record/error-class.js';

/**
 * The value OpenTelemetry conventions use for "a value outside the known set",
 * as `error.type` defines it. Used here for `error.type`, an overflowed
 * `gen_ai.request.model` and an unknown backend.
 */
export const OTHER_VALUE = '_OTHER';

/**
 * `gen_ai.operation.name` of every relay call. Both pipelines send one
 * multimodal request and get generated text back: a transcript from audio, or
 * an analysis from a transcript. That is the conventions' `generate_content`
 * operation, for the Gemini backend and the self-hosted speech model alike.
 * The pipeline stays visible in `relay.pipeline`.
 */
export const OPERATION_NAME = 'generate_content';

// `gcp.gemini` is the conventions' value for the Gemini API
// (generativelanguage.googleapis.com). The self-hosted backend has no
// well-known value, so it keeps the relay's own name.
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  gemini: 'gcp.gemini',
  hardware: 'hardware',
  [ABSENT_LABEL]: ABSENT_LABEL,
};

/** The bounded attribute values of one call, as the sink keys its series. */
export interface CallAttributeValues {
  tier: string;
  pipeline: string;
  backend: string;
  /** Admitted model name, `_OTHER` past the limit, undefined when the record has none. */
  model: string | undefined;
  status: string;
  errorClass: ErrorClass | undefined;
}

/** Builds the attributes that every relay instrument carries for one series. */
export function buildCallAttributes(values: CallAttributeValues): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': OPERATION_NAME,
    'gen_ai.provider.name': PROVIDER_NAMES[values.backend] ?? OTHER_VALUE,
  };

  // The conventions make the model conditionally required "if available", so
  // a record without a model (a refusal) leaves the attribute out.
  if (values.model !== undefined) attributes['gen_ai.request.model'] = values.model;
  if (values.errorClass !== undefined) attributes['error.type'] = errorType(values.errorClass);

  attributes['relay.tier'] = values.tier;
  attributes['relay.pipeline'] = values.pipeline;
  attributes['relay.status'] = values.status;
  return attributes;
}

/** Adds `gen_ai.token.type` for `gen_ai.client.token.usage`, whose conventions define only input and output. */
export function withGenAiTokenType(attributes: Attributes, type: 'input' | 'output'): Attributes {
  return { ...attributes, 'gen_ai.token.type': type };
}

/** Adds `relay.token.type` for `relay.tokens`, which keeps thinking tokens apart. */
export function withRelayTokenType(attributes: Attributes, type: TokenType): Attributes {
  return { ...attributes, 'relay.token.type': type };
}

function errorType(errorClass: ErrorClass): string {
  return errorClass === OTHER_LABEL ? OTHER_VALUE : errorClass;
}

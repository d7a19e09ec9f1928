// The baselines that the benchmarks compare against, each written the plain
// way so the comparison shows what the exporter's design buys.
import { appendFile } from 'node:fs/promises';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { COST_BUCKETS_USD, DURATION_BUCKETS_SECONDS, TOKEN_BUCKETS } from '../dist/metrics/buckets.js';

/**
 * The naive writer: one `fs.promises.appendFile` per record, which opens,
 * writes and closes the file for every call, as the original audit-log module did.
 */
export function createNaiveWriter(path) {
  return (record) => appendFile(path, `${JSON.stringify(record)}\n`);
}

/** Parses every line with plain `JSON.parse` and nothing else: the floor for any replay or report. */
export function parseLinesFloor(text) {
  let records = 0;
  let start = 0;
  let newline = text.indexOf('\n', start);
  while (newline !== -1) {
    if (newline > start) {
      JSON.parse(text.slice(start, newline));
      records += 1;
    }
    start = newline + 1;
    newline = text.indexOf('\n', start);
  }
  return records;
}

const CALL_LABELS = ['tier', 'pipeline', 'backend', 'model', 'status'];

/**
 * The same counter and histogram updates as the exporter's sink, made through
 * prom-client's label API (`inc(labels, value)`, `observe(labels, value)`):
 * the metrics floor of a plain prom-client integration. With `processMetrics`
 * the registry also contains prom-client's default process metrics, as the exporter's does.
 */
export function createPromClientFloor({ processMetrics = false } = {}) {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const families = {
    calls: new Counter({ name: 'relay_calls_total', help: 'h', labelNames: CALL_LABELS, registers }),
    costUsd: new Counter({ name: 'relay_cost_usd_total', help: 'h', labelNames: CALL_LABELS, registers }),
    credits: new Counter({ name: 'relay_credits_charged_total', help: 'h', labelNames: CALL_LABELS, registers }),
    audio: new Counter({ name: 'relay_audio_seconds_total', help: 'h', labelNames: CALL_LABELS, registers }),
    tokens: new Counter({ name: 'relay_tokens_total', help: 'h', labelNames: [...CALL_LABELS, 'token_type'], registers }),
    duration: new Histogram({
      name: 'relay_call_duration_seconds',
      help: 'h',
      labelNames: CALL_LABELS,
      buckets: [...DURATION_BUCKETS_SECONDS],
      registers,
    }),
    cost: new Histogram({ name: 'relay_call_cost_usd', help: 'h', labelNames: CALL_LABELS, buckets: [...COST_BUCKETS_USD], registers }),
    tokenSizes: new Histogram({
      name: 'relay_call_tokens',
      help: 'h',
      labelNames: [...CALL_LABELS, 'token_type'],
      buckets: [...TOKEN_BUCKETS],
      registers,
    }),
    errors: new Counter({
      name: 'relay_errors_total',
      help: 'h',
      labelNames: ['pipeline', 'backend', 'model', 'error_class'],
      registers,
    }),
  };

  const apply = (call) => {
    const labels = { tier: call.tier, pipeline: call.pipeline, backend: call.backend, model: call.model ?? 'unknown', status: call.status };
    families.calls.inc(labels, 1);
    if (call.costUsd !== undefined) {
      families.costUsd.inc(labels, call.costUsd);
      families.cost.observe(labels, call.costUsd);
    }
    if (call.durationSeconds !== undefined) families.duration.observe(labels, call.durationSeconds);
    if (call.creditsCharged !== undefined) families.credits.inc(labels, call.creditsCharged);
    if (call.audioSeconds !== undefined) families.audio.inc(labels, call.audioSeconds);
    for (const [type, count] of [
      ['input', call.inputTokens],
      ['output', call.outputTokens],
      ['thinking', call.thinkingTokens],
    ]) {
      if (count === undefined) continue;
      const tokenLabels = { ...labels, token_type: type };
      families.tokens.inc(tokenLabels, count);
      families.tokenSizes.observe(tokenLabels, count);
    }
    if (call.errorClass !== undefined) {
      families.errors.inc({ pipeline: call.pipeline, backend: call.backend, model: labels.model, error_class: call.errorClass }, 1);
    }
  };

  return { registry, apply };
}

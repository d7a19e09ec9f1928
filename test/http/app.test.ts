import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';
import { sumFamily } from '../support/service.js';

const startApp = useApps();

async function post(url: string, body: string, contentType: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/calls`, {
    method: 'POST',
    body,
    headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are checked field by field
}

describe('GET /metrics', () => {
  it('answers with the exact text format 0.0.4 content type', async () => {
    const { url } = await startApp();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toContain('# TYPE relay_calls_total counter');
  });

  it('compresses with gzip when asked', async () => {
    const { url } = await startApp();
    const response = await fetch(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const raw = Buffer.from(await response.arrayBuffer());
    // fetch may already have decoded the body; accept both, but the header must say gzip.
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString() : raw.toString();
    expect(text).toContain('relay_build_info');
  });

  it('answers 500, not 200, when collection fails', async () => {
    const { url, relay } = await startApp();
    relay.registry.registerMetric({
      name: 'broken_metric',
      help: 'Always fails.',
      type: 'gauge',
      get: () => Promise.reject(new Error('boom')),
      reset: () => {},
    } as unknown as Parameters<typeof relay.registry.registerMetric>[0]);

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('relay_calls_total');
  });
});

describe('POST /v1/calls', () => {
  it('accepts one JSON object', async () => {
    const { url } = await startApp();
    const result = await post(url, JSON.stringify({ tier: 'pro', status: 'success' }), 'application/json');
    expect(result).toEqual({ status: 200, body: { accepted: 1, rejected: 0, rejections: [] } });
  });

  it('accepts a JSON array and numbers rejected items from 1', async () => {
    const { url, relay } = await startApp();
    const result = await post(url, JSON.stringify([{ tier: 'core' }, 5, { tier: 'max' }]), 'application/json');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ accepted: 2, rejected: 1, rejections: [{ line: 2, code: 'invalid_record' }] });
    expect(sumFamily(await relay.registry.metrics(), 'relay_calls_total')).toBe(2);
  });

  it('accepts NDJSON and reports each bad line by number', async () => {
    const { url } = await startApp();
    const body = '{"tier":"core"}\r\n\nnot json\n{"tier":"pro"}\n';
    const result = await post(url, body, 'application/x-ndjson');
    expect(result.status).toBe(200);
    expect(result.body.accepted).toBe(2);
    expect(result.body.rejections).toEqual([{ line: 3, code: 'invalid_json', message: expect.stringContaining('not valid JSON') }]);
  });

  it.each([
    ['invalid JSON', '{"tier":', 'application/json', 400, 'invalid_json'],
    ['an empty body', '', 'application/json', 400, 'empty_body'],
    ['only blank NDJSON lines', '\n\n', 'application/x-ndjson', 400, 'empty_body'],
    ['a wrong content type', 'tier=core', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ['no content type', '{"tier":"core"}', undefined, 415, 'unsupported_media_type'],
    ['only non-object records', '[1,2]', 'application/json', 400, 'invalid_records'],
  ])('rejects %s with a JSON error and a stable code', async (_name, body, contentType, status, code) => {
    const { url } = await startApp();
    const result = await post(url, body, contentType);
    expect(result.status).toBe(status);
    expect(result.body.error.code).toBe(code);
    expect(result.body.error.message.length).toBeGreaterThan(20);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('rejects an oversize body with 413 and names the limit', async () => {
    const { url } = await startApp({ bodyLimitBytes: 1_000 });
    const result = await post(url, JSON.stringify({ error: 'x'.repeat(5_000) }), 'application/json');
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('body_too_large');
    expect(result.body.error.message).toContain('1000 bytes');
  });

  it('requires the bearer token when one is configured', async () => {
    const { url } = await startApp({ token: 's3cret' });
    const body = JSON.stringify({ tier: 'core' });

    const missing = await post(url, body, 'application/json');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthorized');
    expect(missing.body.error.message).toContain('missing bearer token');

    const wrong = await post(url, body, 'application/json', { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain('invalid bearer token');

    const right = await post(url, body, 'application/json', { authorization: 'Bearer s3cret' });
    expect(right.status).toBe(200);

    const scrape = await fetch(`${url}/metrics`);
    expect(scrape.status).toBe(200);
  });
});

describe('maintenance routes', () => {
  it('deletes by job id and keeps the counters', async () => {
    const { url, relay } = await startApp({ token: 't' });
    const auth = { authorization: 'Bearer t' };
    await post(url, '{"job_id":"a"}\n{"job_id":"b"}\n', 'application/x-ndjson', auth);

    const unauthorized = await fetch(`${url}/v1/calls/delete`, { method: 'POST', body: '{"job_ids":["a"]}', headers: { 'content-type': 'application/json' } });
    expect(unauthorized.status).toBe(401);

    const response = await fetch(`${url}/v1/calls/delete`, { method: 'POST', body: '{"job_ids":["a"]}', headers: { 'content-type': 'application/json', ...auth } });
    expect(await response.json()).toEqual({ deleted: 1 });
    expect(sumFamily(await relay.registry.metrics(), 'relay_calls_total')).toBe(2);
  });

  it.each([
    ['a missing list', '{}'],
    ['a non-string id', '{"job_ids":["a",3]}'],
    ['invalid JSON', '{"job_ids":'],
  ])('rejects %s with a 400 JSON error', async (_name, body) => {
    const { url } = await startApp();
    const response = await fetch(`${url}/v1/calls/delete`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    const payload = (await response.json()) as { error: { code: string } };
    expect(['invalid_request', 'invalid_json']).toContain(payload.error.code);
  });

  it('clears the live log', async () => {
    const { url, relay } = await startApp();
    await post(url, '{"job_id":"a"}', 'application/json');
    const response = await fetch(`${url}/v1/calls/clear`, { method: 'POST' });
    expect(await response.json()).toEqual({ ok: true });
    expect(relay.auditLog.liveSizeBytes).toBe(0);
  });
});

describe('health probes', () => {
  it('answers healthz and readyz while the log is writable', async () => {
    const { url } = await startApp();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers readyz 503 once the log is closed', async () => {
    const { url, relay } = await startApp();
    await relay.auditLog.close();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('not_ready');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { url } = await startApp();
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

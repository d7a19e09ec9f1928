import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';

const startApp = useApps();

// The size of a compressed body is unknown until it is inflated, so body-parser
// reports no length and the message used to read "request body of undefined bytes".
describe('gzip body over the limit', () => {
  it('is a 413 whose message names the limit, not undefined', async () => {
    const { url } = await startApp({ bodyLimitBytes: 1000 });
    const inflatedBody = JSON.stringify([{ tier: 'pro', note: ' '.repeat(100_000) }]);

    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: gzipSync(inflatedBody),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(413);
    expect(body.error.code).toBe('body_too_large');
    expect(body.error.message).not.toContain('undefined');
    expect(body.error.message).toContain('decompressed request body exceeds the limit of 1000 bytes');
  });

  it('of known length still names its size', async () => {
    const { url } = await startApp({ bodyLimitBytes: 1000 });

    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: JSON.stringify({ note: ' '.repeat(2000) }),
      headers: { 'content-type': 'application/json' },
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(413);
    expect(body.error.message).toContain('request body of 2011 bytes exceeds the limit of 1000 bytes');
  });
});

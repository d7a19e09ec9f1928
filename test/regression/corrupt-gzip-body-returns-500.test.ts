import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';

const startApp = useApps();

// body-parser reports a body that fails to decompress as a plain zlib error,
// which the app used to return as 500 internal_error.
describe('body that fails to decompress', () => {
  const cases = [
    { route: '/v1/calls', encoding: 'gzip' },
    { route: '/v1/calls', encoding: 'deflate' },
    { route: '/v1/calls', encoding: 'br' },
    { route: '/v1/calls/delete', encoding: 'gzip' },
  ];

  for (const { route, encoding } of cases) {
    it(`is a 400 invalid_encoding on ${route} with ${encoding}`, async () => {
      const { url } = await startApp();
      const response = await fetch(`${url}${route}`, {
        method: 'POST',
        body: '{"job_ids": ["not compressed"]}',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      const body = (await response.json()) as { error: { code: string; message: string } };

      expect(response.status).toBe(400);
      expect(body.error.code).toBe('invalid_encoding');
      expect(body.error.message).toContain(`"${encoding}"`);
      expect(body.error.message).toContain('send it uncompressed');
    });
  }

  it('still accepts a well-formed gzip body', async () => {
    const { url } = await startApp();
    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: gzipSync('{"tier": "pro"}'),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, rejected: 0, rejections: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';

const startApp = useApps();

// The 415 for an unknown Content-Encoding read "uncompressed or gzip", though
// deflate and br bodies are decompressed as well.
describe('unsupported Content-Encoding', () => {
  it('lists every accepted encoding', async () => {
    const { url } = await startApp();

    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: '{"tier": "pro"}',
      headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' },
    });
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;

    expect(response.status).toBe(415);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('"zstd"');
    expect(error.message).toContain('gzip, deflate or br');
  });
});

import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';

const startApp = useApps();

// An empty JSON array used to come back as invalid_records with an empty
// "rejections" list, which pointed the client at a list with nothing in it.
describe('empty JSON array body', () => {
  it('is a 400 empty_body that names the array', async () => {
    const { url } = await startApp();

    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: ' [ ] ',
      headers: { 'content-type': 'application/json' },
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(400);
    expect(body.error.code).toBe('empty_body');
    expect(body.error.message).toContain('empty JSON array');
    expect(body.error.message).toContain('at least one record');
  });

  it('of one record still stores it', async () => {
    const { url } = await startApp();

    const response = await fetch(`${url}/v1/calls`, {
      method: 'POST',
      body: '[{"tier": "core"}]',
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, rejected: 0, rejections: [] });
  });
});

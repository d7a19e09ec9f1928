import { describe, expect, it } from 'vitest';
import { useApps } from '../support/app.js';

const startApp = useApps();

// express.json() in strict mode rejects any top-level value but an object or
// array, so a delete request of `null` or `"job-1"` was reported as "not valid
// JSON" although it parses.
describe('delete request of valid JSON that is no object', () => {
  const cases = [
    { body: 'null', shown: 'null' },
    { body: '"job-1"', shown: '"job-1"' },
    { body: '42', shown: '42' },
    { body: '["job-1"]', shown: '["job-1"]' },
  ];

  for (const { body, shown } of cases) {
    it(`${body} is invalid_request naming the value`, async () => {
      const { url } = await startApp();

      const response = await fetch(`${url}/v1/calls/delete`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;

      expect(response.status).toBe(400);
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain(`got ${shown}`);
      expect(error.message).toContain('{"job_ids": ["<job id>", ...]}');
    });
  }

  it('that does not parse is still invalid_json', async () => {
    const { url } = await startApp();

    const response = await fetch(`${url}/v1/calls/delete`, {
      method: 'POST',
      body: '{job_ids',
      headers: { 'content-type': 'application/json' },
    });
    const error = ((await response.json()) as { error: { code: string } }).error;

    expect(response.status).toBe(400);
    expect(error.code).toBe('invalid_json');
  });
});

import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/service.js';

let service: RunningService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relay-client-error-'));
  service = await startService(['--data-dir', dataDir]);
});

afterAll(async () => {
  await service.stop();
  await rm(dataDir, { recursive: true, force: true });
});

// Sends raw bytes and returns everything the server wrote before it closed.
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

function jsonBody(response: string): { error: { code: string; message: string } } {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
}

// Requests that Node's HTTP parser rejects never reach express, and Node's
// own response was a status line with an empty body instead of the JSON error.
describe('request the HTTP parser rejects', () => {
  it('malformed request line is a JSON 400', async () => {
    const response = await exchange(service.port, 'GARBAGE\r\n\r\n');

    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toContain('Content-Type: application/json; charset=utf-8');
    expect(jsonBody(response).error.code).toBe('invalid_request');
    expect(jsonBody(response).error.message).toContain('send a valid HTTP/1.1 request');
  });

  it('oversized headers are a JSON 431', async () => {
    const response = await exchange(service.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);

    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(jsonBody(response).error.code).toBe('headers_too_large');
    expect(jsonBody(response).error.message).toContain('send fewer or shorter headers');
  });

  it('leaves the service serving', async () => {
    const response = await fetch(`${service.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

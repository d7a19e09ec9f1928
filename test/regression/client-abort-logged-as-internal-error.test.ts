import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.js';
import { useApps } from '../support/app.js';

const startApp = useApps();

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

function recordingLogger(entries: LogEntry[]): Logger {
  return {
    info: (fields, message) => entries.push({ level: 'info', fields, message }),
    warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
    error: (fields, message) => entries.push({ level: 'error', fields, message }),
  };
}

// Sends the headers and part of the body, then closes the socket.
function sendPartOfBody(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{"tier": "pro"}`);
      setTimeout(() => socket.destroy(), 100);
    });
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

async function waitForEntry(entries: LogEntry[]): Promise<void> {
  for (let attempt = 0; attempt < 50 && entries.length === 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A client that hung up halfway through its body used to be logged as
// "request failed" at error level with a stack, as if the service had failed.
describe('client that closes mid-body', () => {
  for (const path of ['/v1/calls', '/v1/calls/delete']) {
    it(`is a warning, not an error, on ${path}`, async () => {
      const entries: LogEntry[] = [];
      const { url, relay } = await startApp({ logger: recordingLogger(entries) });

      await sendPartOfBody(Number(new URL(url).port), path);
      await waitForEntry(entries);

      expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
      expect(entries).toHaveLength(1);
      expect(entries[0]!.level).toBe('warn');
      expect(entries[0]!.fields).toMatchObject({ path, expectedBytes: 100000 });
      expect(await relay.isReady()).toBe(true);
    });
  }
});

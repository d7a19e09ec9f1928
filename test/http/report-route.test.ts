import { copyFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logger.js';
import { createRelayMetrics, type RelayMetrics } from '../../src/relay.js';
import type { Report } from '../../src/report/stream-report.js';
import { useTempDirs } from '../support/temp-dir.js';

const makeTempDir = useTempDirs();
const SAMPLE_PATH = new URL('../../examples/relay-calls.sample.ndjson', import.meta.url);
const TOKEN = 'report-test-token';
const running: Array<{ server: Server; relay: RelayMetrics }> = [];

afterEach(async () => {
  for (const { server, relay } of running.splice(0)) {
    await new Promise((resolve) => server.close(resolve));
    await relay.close();
  }
});

async function startApp(): Promise<string> {
  const dataDir = await makeTempDir();
  await copyFile(SAMPLE_PATH, join(dataDir, 'relay-calls.ndjson'));
  const relay = await createRelayMetrics({ dataDir, processMetrics: false });
  const app = createApp({ relay, logger: silentLogger, token: TOKEN, tierPricesUsd: { core: 0, pro: 12, max: 39 } });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  running.push({ server, relay });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

async function getReport(url: string, query: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const response = await fetch(`${url}/api/report${query}`, { headers });
  return { status: response.status, body: (await response.json()) as Report & { error?: { code: string; message: string } } };
}

describe('GET /api/report', () => {
  it('returns the report of the range with revenue from tier prices', async () => {
    const url = await startApp();
    const { status, body } = await getReport(url, '?since=2026-01-01&until=2027-01-01T00:00:00Z');

    expect(status).toBe(200);
    expect(body.range).toEqual({ since: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z' });
    expect(body.summary.calls).toBe(12_005);
    expect(body.by_install).toHaveLength(20);
    expect(body.summaries_total).toBe(body.summary.total_summaries);
    expect(body.by_summary).toHaveLength(100);
    const { pro, max } = body.summary.active_installs_by_tier;
    expect(body.revenue.monthly_revenue_usd).toBeCloseTo(pro * 12 + max * 39, 6);
  });

  it('narrows to the range', async () => {
    const url = await startApp();
    const { body: day } = await getReport(url, '?since=2026-12-01T00:00:00Z&until=2026-12-01T23:59:59.999Z');
    const { body: all } = await getReport(url, '?since=2026-01-01&until=2027-01-01');

    expect(day.summary.calls).toBeGreaterThan(0);
    expect(day.summary.calls).toBeLessThan(all.summary.calls);
    expect(day.by_hour_utc.reduce((sum, row) => sum + row.calls, 0)).toBe(day.summary.calls);
  });

  it.each([
    ['?since=yesterday', 'since "yesterday" is not a valid time'],
    ['?since=7d&until=7 days', 'until "7 days" is not a valid time'],
    ['?since=1d&until=2d', 'since (20'],
    ['?since=1d&since=2d', 'query parameter "since" is given more than once'],
  ])('answers 400 invalid_request for %s', async (query, expected) => {
    const url = await startApp();
    const { status, body } = await getReport(url, query);

    expect(status).toBe(400);
    expect(body.error!.code).toBe('invalid_request');
    expect(body.error!.message).toContain(expected);
  });

  it('names the accepted forms in a time error', async () => {
    const url = await startApp();
    const { body } = await getReport(url, '?since=last-week');
    expect(body.error!.message).toContain('ISO 8601');
    expect(body.error!.message).toContain('7d');
  });

  it('requires the bearer token', async () => {
    const url = await startApp();
    const missing = await getReport(url, '', {});
    const wrong = await getReport(url, '', { authorization: 'Bearer not-the-token' });

    expect(missing.status).toBe(401);
    expect(missing.body.error!.code).toBe('unauthorized');
    expect(wrong.status).toBe(401);
  });

  it('leaves /metrics open', async () => {
    const url = await startApp();
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});

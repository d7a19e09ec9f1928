import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DURATION_BUCKETS_SECONDS } from '../../src/otel/instruments.js';
import { countOtlp, startOtlpReceiver, sumOtlp, type OtlpExportRequest, type OtlpReceiver } from '../support/otlp-receiver.js';
import { freePort } from '../support/ports.js';
import { CLI_PATH, startService, sumFamily, type RunningService } from '../support/service.js';

const CALLS = [
  {
    tier: 'core', pipeline: 'transcribe', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'success',
    audio_seconds: 600, duration_ms: 90_000, input_tokens: 19_200, output_tokens: 1_500, thinking_tokens: 0,
    cost_usd: 0.015, credit_charged: 0, install_id: 'i1', job_id: 'j1',
  },
  {
    tier: 'pro', pipeline: 'analyze', backend: 'gemini', model: 'gemini-3-flash-preview', status: 'success',
    duration_ms: 9_000, input_tokens: 2_400, output_tokens: 2_200, thinking_tokens: 300, cost_usd: 0.009,
    credit_charged: 1, install_id: 'i2', job_id: 'j1',
  },
  {
    tier: 'max', pipeline: 'transcribe', backend: 'hardware', model: 'parakeet-tdt-0.6b-v3', status: 'error',
    error: 'ECONNRESET', duration_ms: 1_000, install_id: 'i3',
  },
];

// Blanks the OTEL_* variables these tests depend on, so settings of the
// machine that runs them cannot change what the service exports. The service
// and the exporter both treat an empty variable as unset.
const CLEAN_OTEL_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '',
  OTEL_EXPORTER_OTLP_HEADERS: '',
  OTEL_EXPORTER_OTLP_PROTOCOL: '',
  OTEL_EXPORTER_OTLP_TIMEOUT: '',
  OTEL_METRIC_EXPORT_INTERVAL: '',
  OTEL_METRIC_EXPORT_TIMEOUT: '',
  OTEL_RESOURCE_ATTRIBUTES: '',
  OTEL_SERVICE_NAME: '',
  OTEL_SDK_DISABLED: '',
};

const runCli = promisify(execFile);

describe('OTLP export from relay-metrics serve', () => {
  let dataDir: string;
  let receiver: OtlpReceiver;
  let service: RunningService | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'relay-otlp-'));
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function postCalls(): Promise<void> {
    const response = await fetch(`${service!.url}/v1/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(CALLS),
    });
    expect(response.status).toBe(200);
  }

  const hasAllCalls = (request: OtlpExportRequest) =>
    request.metrics.some((metric) => metric.name === 'relay.calls') && sumOtlp(request.metrics, 'relay.calls') === CALLS.length;

  it('pushes the expected metrics every interval', async () => {
    service = await startService(['--data-dir', dataDir, '--otlp-endpoint', receiver.url], {
      ...CLEAN_OTEL_ENV,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=secret-1',
      OTEL_SERVICE_NAME: 'relay-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    });
    await postCalls();

    const request = await receiver.waitFor(hasAllCalls);
    const { metrics } = request;

    expect(request.headers['x-collector-token']).toBe('secret-1');
    expect(request.resourceAttributes['service.name']).toBe('relay-under-test');
    expect(request.resourceAttributes['deployment.environment.name']).toBe('test');
    expect(request.scope.name).toBe('relay-metrics');

    const duration = metrics.find((metric) => metric.name === 'gen_ai.client.operation.duration');
    expect(duration?.unit).toBe('s');
    expect(duration?.histogram?.dataPoints[0]?.explicitBounds).toEqual([...DURATION_BUCKETS_SECONDS]);
    expect(metrics.find((metric) => metric.name === 'relay.cost')?.unit).toBe('{USD}');
    expect(metrics.find((metric) => metric.name === 'relay.calls')?.sum?.isMonotonic).toBe(true);
    expect(countOtlp(metrics, 'gen_ai.client.operation.duration')).toBe(3);
    expect(sumOtlp(metrics, 'gen_ai.client.operation.duration')).toBeCloseTo(100, 9);
    expect(sumOtlp(metrics, 'gen_ai.client.token.usage', { 'gen_ai.token.type': 'input' })).toBe(21_600);
    expect(sumOtlp(metrics, 'gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' })).toBe(4_000);
    expect(sumOtlp(metrics, 'relay.cost')).toBeCloseTo(0.024, 12);
    expect(sumOtlp(metrics, 'relay.credits')).toBe(1);
    expect(sumOtlp(metrics, 'relay.audio.duration')).toBe(600);
    expect(sumOtlp(metrics, 'relay.tokens', { 'relay.token.type': 'thinking' })).toBe(300);
    expect(sumOtlp(metrics, 'relay.calls', { 'gen_ai.provider.name': 'hardware', 'error.type': 'connection' })).toBe(1);
  });

  it('keeps /metrics free of duplicate families', async () => {
    service = await startService(['--data-dir', dataDir, '--otlp-endpoint', receiver.url], {
      ...CLEAN_OTEL_ENV,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    await postCalls();
    await receiver.waitFor(hasAllCalls);

    const exposition = await (await fetch(`${service.url}/metrics`)).text();
    const families = exposition.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);

    expect(new Set(families).size).toBe(families.length);
    expect(families.filter((name) => name!.startsWith('gen_ai') || name!.startsWith('otel'))).toEqual([]);
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(CALLS.length);
  });

  it('flushes on SIGTERM before the first interval', async () => {
    service = await startService(['--data-dir', dataDir], {
      ...CLEAN_OTEL_ENV,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRIC_EXPORT_INTERVAL: '600000',
    });
    await postCalls();
    expect(receiver.requests).toEqual([]);

    const exitCode = await service.stop('SIGTERM');

    expect(exitCode).toBe(0);
    expect(receiver.requests.filter(hasAllCalls).length).toBeGreaterThan(0);
    expect(service.output()).toContain('OpenTelemetry export shut down');
  });

  it('sends to the metrics endpoint variable as given', async () => {
    service = await startService(['--data-dir', dataDir], {
      ...CLEAN_OTEL_ENV,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    await postCalls();

    await receiver.waitFor(hasAllCalls);
  });

  it('keeps serving when the collector is down', async () => {
    const closedPort = await freePort();
    service = await startService(['--data-dir', dataDir, '--otlp-endpoint', `http://127.0.0.1:${closedPort}`], {
      ...CLEAN_OTEL_ENV,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    });
    await postCalls();
    await waitForOutput(service, 'OpenTelemetry SDK diagnostic');

    const exposition = await (await fetch(`${service.url}/metrics`)).text();
    expect(sumFamily(exposition, 'relay_calls_total')).toBe(CALLS.length);
    expect(await service.stop('SIGTERM')).toBe(0);
  });

  it('exports nothing without an endpoint', async () => {
    service = await startService(['--data-dir', dataDir], { ...CLEAN_OTEL_ENV, OTEL_METRIC_EXPORT_INTERVAL: '500' });
    await postCalls();

    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.output()).not.toContain('OTLP');
    expect(receiver.requests).toEqual([]);
  });

  it('rejects an endpoint that is not an HTTP URL', async () => {
    const failure = await runCli(process.execPath, [CLI_PATH, 'serve', '--data-dir', dataDir, '--otlp-endpoint', '127.0.0.1:4318'], {
      env: { ...process.env, ...CLEAN_OTEL_ENV },
    }).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--otlp-endpoint must be an http:// or https:// URL');
  });

  it('rejects a timeout longer than the interval', async () => {
    const failure = await runCli(process.execPath, [CLI_PATH, 'serve', '--data-dir', dataDir], {
      env: {
        ...process.env,
        ...CLEAN_OTEL_ENV,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_METRIC_EXPORT_TIMEOUT: '5000',
      },
    }).catch((error: { code: number; stderr: string }) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('OTEL_METRIC_EXPORT_TIMEOUT (5000 ms) exceeds OTEL_METRIC_EXPORT_INTERVAL (1000 ms)');
  });
});

async function waitForOutput(service: RunningService, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`service did not log ${JSON.stringify(text)} within ${timeoutMs} ms:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readOtlpSettings } from '../../src/cli/otlp-settings.js';

const OTEL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_METRIC_EXPORT_TIMEOUT',
  'OTEL_SDK_DISABLED',
];

describe('readOtlpSettings', () => {
  beforeEach(() => {
    for (const name of OTEL_VARIABLES) vi.stubEnv(name, '');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is off without an endpoint', () => {
    expect(readOtlpSettings(undefined)).toEqual({ enabled: false, reason: 'not_configured' });
  });

  it('appends the metrics path to a base endpoint', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:4318');
    expect(readOtlpSettings(undefined)).toMatchObject({ metricsUrl: 'http://127.0.0.1:4318/v1/metrics' });

    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://collector.example/otlp/');
    expect(readOtlpSettings(undefined)).toMatchObject({ metricsUrl: 'https://collector.example/otlp/v1/metrics' });
  });

  it('uses the metrics endpoint as given', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:4318');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http://127.0.0.1:9999/custom');

    expect(readOtlpSettings(undefined)).toMatchObject({
      metricsUrl: 'http://127.0.0.1:9999/custom',
      urlSource: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    });
  });

  it('prefers the flag over the variables', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http://127.0.0.1:9999/custom');

    expect(readOtlpSettings('http://127.0.0.1:4318')).toMatchObject({
      metricsUrl: 'http://127.0.0.1:4318/v1/metrics',
      urlSource: '--otlp-endpoint',
    });
  });

  it('rejects an endpoint without http scheme', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318');
    expect(() => readOtlpSettings(undefined)).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
  });

  it('is off when OTEL_SDK_DISABLED is true', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'TRUE');
    expect(readOtlpSettings('http://127.0.0.1:4318')).toEqual({ enabled: false, reason: 'sdk_disabled' });
  });

  it('uses the specification defaults for timing', () => {
    expect(readOtlpSettings('http://127.0.0.1:4318')).toMatchObject({
      exportIntervalMs: 60_000,
      exportTimeoutMs: 30_000,
      timeoutClamped: false,
    });
  });

  it('lowers the default timeout to a short interval', () => {
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '500');
    expect(readOtlpSettings('http://127.0.0.1:4318')).toMatchObject({
      exportIntervalMs: 500,
      exportTimeoutMs: 500,
      timeoutClamped: true,
    });
  });

  it('rejects an explicit timeout above the interval', () => {
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '500');
    vi.stubEnv('OTEL_METRIC_EXPORT_TIMEOUT', '501');
    expect(() => readOtlpSettings('http://127.0.0.1:4318')).toThrow('OTEL_METRIC_EXPORT_TIMEOUT (501 ms) exceeds OTEL_METRIC_EXPORT_INTERVAL (500 ms)');
  });

  it('rejects an interval that is not a whole number', () => {
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '1.5s');
    expect(() => readOtlpSettings('http://127.0.0.1:4318')).toThrow('OTEL_METRIC_EXPORT_INTERVAL must be a whole number');
  });

  it('reports a protocol other than http/json', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    expect(readOtlpSettings('http://127.0.0.1:4318')).toMatchObject({ ignoredProtocol: 'grpc' });

    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
    expect(readOtlpSettings('http://127.0.0.1:4318')).toMatchObject({ ignoredProtocol: undefined });
  });
});

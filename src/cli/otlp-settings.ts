import { flagOrEnv, parseInteger } from './option-values.js';
import { UsageError } from './usage-error.js';

// Defaults of the OpenTelemetry SDK environment variables specification.
const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;

// setInterval treats a delay above 2^31 - 1 ms as 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

const METRICS_PATH = 'v1/metrics';

/** The OTLP export settings of `serve`: the URL and timing, or the reason export is off. */
export type OtlpSettings =
  | { enabled: false; reason: 'not_configured' | 'sdk_disabled' }
  | {
      enabled: true;
      /** Full URL that receives the OTLP/HTTP JSON export requests. */
      metricsUrl: string;
      /** The flag or variable that set the URL, for the startup log. */
      urlSource: string;
      exportIntervalMs: number;
      exportTimeoutMs: number;
      /** True when the default timeout was lowered to a shorter interval. */
      timeoutClamped: boolean;
      /** OTEL_EXPORTER_OTLP_*PROTOCOL when it requests a protocol other than http/json, the only one this exporter sends. */
      ignoredProtocol: string | undefined;
    };

/**
 * Reads the OTLP settings from `--otlp-endpoint` and the standard `OTEL_*`
 * variables. Export is on when any endpoint is set and OTEL_SDK_DISABLED is
 * not true. Headers and resource attributes are left to the SDK, which reads
 * their variables itself.
 */
export function readOtlpSettings(endpointFlag: string | undefined): OtlpSettings {
  const endpoint = resolveMetricsUrl(endpointFlag);
  if (endpoint === undefined) return { enabled: false, reason: 'not_configured' };
  if (flagOrEnv(undefined, 'OTEL_SDK_DISABLED')?.trim().toLowerCase() === 'true') {
    return { enabled: false, reason: 'sdk_disabled' };
  }

  const interval = readMilliseconds('OTEL_METRIC_EXPORT_INTERVAL');
  const timeout = readMilliseconds('OTEL_METRIC_EXPORT_TIMEOUT');
  const exportIntervalMs = interval ?? DEFAULT_EXPORT_INTERVAL_MS;

  if (interval !== undefined && timeout !== undefined && timeout > interval) {
    throw new UsageError(
      `OTEL_METRIC_EXPORT_TIMEOUT (${timeout} ms) exceeds OTEL_METRIC_EXPORT_INTERVAL (${interval} ms): set the timeout to at most the interval`,
    );
  }

  // As the SDK's periodic reader does: a default timeout longer than the
  // interval the user chose is lowered to the interval, not rejected.
  const timeoutClamped = timeout === undefined && DEFAULT_EXPORT_TIMEOUT_MS > exportIntervalMs;
  const exportTimeoutMs = timeout ?? Math.min(DEFAULT_EXPORT_TIMEOUT_MS, exportIntervalMs);

  return {
    enabled: true,
    metricsUrl: endpoint.url,
    urlSource: endpoint.source,
    exportIntervalMs,
    exportTimeoutMs,
    timeoutClamped,
    ignoredProtocol: readIgnoredProtocol(),
  };
}

function resolveMetricsUrl(endpointFlag: string | undefined): { url: string; source: string } | undefined {
  if (endpointFlag !== undefined) {
    return { url: appendMetricsPath(parseHttpUrl(endpointFlag, '--otlp-endpoint')), source: '--otlp-endpoint' };
  }

  const metricsEndpoint = flagOrEnv(undefined, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  if (metricsEndpoint !== undefined) {
    // The signal-specific variable is the full URL, used as given.
    return { url: parseHttpUrl(metricsEndpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT').href, source: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT' };
  }

  const baseEndpoint = flagOrEnv(undefined, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (baseEndpoint !== undefined) {
    return { url: appendMetricsPath(parseHttpUrl(baseEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT')), source: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
  }
  return undefined;
}

// The exporter falls back to http://localhost:4318 when it cannot parse a URL
// from the environment, so a typo would silently send metrics elsewhere.
// Checking here turns it into a usage error instead.
function parseHttpUrl(value: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }

  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${source} must be an http:// or https:// URL such as http://127.0.0.1:4318, got ${JSON.stringify(value)}`);
  }
  return url;
}

// A base endpoint gets the signal path appended, as the OTLP exporter
// specification requires for OTEL_EXPORTER_OTLP_ENDPOINT.
function appendMetricsPath(base: URL): string {
  const href = base.href.endsWith('/') ? base.href : `${base.href}/`;
  return `${href}${METRICS_PATH}`;
}

function readMilliseconds(envName: string): number | undefined {
  const value = flagOrEnv(undefined, envName);
  return value === undefined ? undefined : parseInteger(value, envName, 1, MAX_TIMER_MS);
}

function readIgnoredProtocol(): string | undefined {
  const protocol = flagOrEnv(undefined, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') ?? flagOrEnv(undefined, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  return protocol === undefined || protocol === 'http/json' ? undefined : protocol;
}

import type { Logger as PinoLogger } from 'pino';
import type { OtlpExport } from './otlp-export.js';
import type { OtlpSettings } from './otlp-settings.js';

const OTLP_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Starts OTLP export when `settings` enable it; undefined otherwise. */
export async function startOtlp(settings: OtlpSettings, logger: PinoLogger): Promise<OtlpExport | undefined> {
  if (!settings.enabled) {
    if (settings.reason === 'sdk_disabled') logger.info({}, 'OTEL_SDK_DISABLED is true; not exporting OpenTelemetry metrics');
    return undefined;
  }

  if (settings.ignoredProtocol !== undefined) {
    logger.warn({ protocol: settings.ignoredProtocol }, 'OTLP protocol setting ignored; metrics are sent as http/json');
  }
  if (settings.timeoutClamped) {
    logger.info({ exportTimeoutMs: settings.exportTimeoutMs }, 'OTLP export timeout lowered to the export interval');
  }

  // Loaded only here, so a service without an OTLP endpoint never loads the SDK.
  const { startOtlpExport } = await import('./otlp-export.js');
  const otlp = startOtlpExport(settings, logger);
  logger.info(
    { url: settings.metricsUrl, source: settings.urlSource, exportIntervalMs: settings.exportIntervalMs },
    'exporting OpenTelemetry metrics over OTLP',
  );
  return otlp;
}

// Bounded because an unreachable collector must not keep the process alive;
// metrics not yet exported are then lost, while the audit log keeps every call.
export async function shutdownOtlp(otlp: OtlpExport | undefined, logger: PinoLogger): Promise<boolean> {
  if (otlp === undefined) return true;

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), OTLP_SHUTDOWN_TIMEOUT_MS);
  });

  try {
    const outcome = await Promise.race([otlp.shutdown().then(() => 'flushed' as const), timedOut]);
    if (outcome === 'timed_out') {
      logger.error({ timeoutMs: OTLP_SHUTDOWN_TIMEOUT_MS }, 'final OTLP export timed out');
      return false;
    }
    logger.info({}, 'OpenTelemetry export shut down');
    return true;
  } catch (error) {
    logger.error({ err: error }, 'final OTLP export failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// The only module that loads the OpenTelemetry SDK. serve-command imports it
// dynamically, so the SDK stays unloaded unless an OTLP endpoint is set.
import { diag, DiagLogLevel, type DiagLogger, type Meter } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Logger as PinoLogger } from 'pino';
import { METER_NAME } from '../otel/otel-sink.js';
import { VERSION } from '../version.js';
import type { OtlpSettings } from './otlp-settings.js';

/** A running OTLP metric export: the meter to record on and its shutdown. */
export interface OtlpExport {
  meter: Meter;
  /** Exports what was recorded since the last export, then stops the reader and the exporter. */
  shutdown(): Promise<void>;
}

/**
 * Sets up a MeterProvider that pushes to `settings.metricsUrl` every
 * `settings.exportIntervalMs`. The exporter reads OTEL_EXPORTER_OTLP_HEADERS
 * and the other exporter variables itself.
 */
export function startOtlpExport(settings: Extract<OtlpSettings, { enabled: true }>, logger: PinoLogger): OtlpExport {
  // Export failures reach the SDK's diagnostic logger, which is silent until
  // one is set. Warnings and errors go to the service log.
  diag.setLogger(createDiagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  const exporter = new OTLPMetricExporter({ url: settings.metricsUrl });
  // NOTE: the reader keeps its default limit of 2,000 attribute sets per
  // instrument. Far more admitted models (--max-models) than the default 50
  // could exceed it, and the SDK would then fold series into an overflow series.
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: settings.exportIntervalMs,
    exportTimeoutMillis: settings.exportTimeoutMs,
  });
  const provider = new MeterProvider({ resource: createResource(), readers: [reader] });

  return {
    meter: provider.getMeter(METER_NAME, VERSION),
    // MeterProvider.shutdown() makes the periodic reader of sdk-metrics 2.12.0
    // force-flush (collect and export once more) before it shuts the exporter
    // down, so no separate forceFlush() is needed.
    shutdown: () => provider.shutdown(),
  };
}

// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the service name and
// version set here, because a later merge wins.
function createResource(): Resource {
  const service = resourceFromAttributes({ 'service.name': METER_NAME, 'service.version': VERSION });
  return defaultResource().merge(service).merge(detectResources({ detectors: [envDetector] }));
}

function createDiagLogger(logger: PinoLogger): DiagLogger {
  const forward = (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') => (detail: string, ...args: unknown[]) => {
    const err = args.find((arg) => arg instanceof Error);
    logger[level]({ detail, err }, 'OpenTelemetry SDK diagnostic');
  };

  return { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug'), verbose: forward('trace') };
}

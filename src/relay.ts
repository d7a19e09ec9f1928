import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics, type Meter } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { AppendError, AuditLog } from './audit/audit-log.js';
import { createReadStats, readRecords } from './audit/reader.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetricsHandler } from './metrics/metrics-handler.js';
import { PrometheusSink } from './metrics/prometheus-sink.js';
import { METER_NAME, OpenTelemetrySink } from './otel/otel-sink.js';
import { appendFailureCode } from './metrics/self-metrics.js';
import { normalizeCallRecord, type DroppedValue, type NormalizedCall } from './record/normalize.js';
import { serializeRecord } from './record/serialize.js';
import type { CallSink } from './record/sink.js';
import { VERSION } from './version.js';

export interface RelayMetricsOptions {
  /** Directory of the audit log; created when missing. One process owns it at a time. */
  dataDir: string;
  /** Registry to add the relay families to, so a relay can serve its own metrics beside them. */
  registry?: Registry;
  /** Rotate the live log once it reaches this size. Default 50 MiB. */
  rotateThresholdBytes?: number;
  /** Distinct `model` label values admitted before new ones become `other`. Default 50. */
  maxModels?: number;
  modelAllowList?: readonly string[];
  /** Monthly price per tier in US dollars, exported as `relay_tier_price_usd`. */
  tierPricesUsd?: Partial<Record<string, number>>;
  /** Add Node.js process metrics. Default true. */
  processMetrics?: boolean;
  /**
   * Meter for the OpenTelemetry instruments. Defaults to the global API's
   * meter, which is a no-op until an SDK registers a MeterProvider. The global
   * meter is looked up once, here, so register the provider before this call.
   */
  meter?: Meter;
  /** Further sinks that receive every recorded call. */
  sinks?: CallSink[];
  /** Defaults to a silent logger; pass a pino logger to see appends fail and recover. */
  logger?: Logger;
}

/** The outcome of `recordCall`: it never rejects, because a relay call must not fail over its audit line. */
export type RecordCallResult =
  | { ok: true }
  | { ok: false; code: 'invalid_record' | 'append_failed' | 'closed'; message: string };

// One shared, frozen result for every successful call: a burst then allocates nothing for it.
const RECORDED: RecordCallResult = Object.freeze({ ok: true });

export interface RelayMetrics {
  /** Appends the record to the audit log, then applies it to the metrics. */
  recordCall(record: unknown): Promise<RecordCallResult>;
  /** Serves `/metrics`; mount it on the relay's own HTTP server or express app. */
  metricsHandler: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  registry: Registry;
  auditLog: AuditLog;
  /** True while the audit log can take appends. */
  isReady(): Promise<boolean>;
  /** Flushes queued appends, closes the log and releases the data directory. */
  close(): Promise<void>;
}

/**
 * Opens the audit log of `options.dataDir`, replays the live log into the
 * metrics so `/metrics` agrees with it at once, and returns the recorder.
 */
export async function createRelayMetrics(options: RelayMetricsOptions): Promise<RelayMetrics> {
  const logger = options.logger ?? silentLogger;
  const prometheus = new PrometheusSink({
    registry: options.registry,
    maxModels: options.maxModels,
    modelAllowList: options.modelAllowList,
    tierPricesUsd: options.tierPricesUsd,
    processMetrics: options.processMetrics,
    version: VERSION,
  });
  const openTelemetry = new OpenTelemetrySink({
    meter: options.meter ?? metrics.getMeter(METER_NAME, VERSION),
    maxModels: options.maxModels,
    modelAllowList: options.modelAllowList,
  });
  const sinks: CallSink[] = [prometheus, openTelemetry, ...(options.sinks ?? [])];
  const failureLog = createFailureLog(logger);

  const auditLog = await AuditLog.open({
    dataDir: options.dataDir,
    rotateThresholdBytes: options.rotateThresholdBytes,
    hooks: {
      onAppend: (records) => {
        prometheus.self.recordsAppended.inc(records);
        failureLog.recovered();
      },
      onAppendFailure: (error, records) => {
        prometheus.self.appendFailures.inc({ code: appendFailureCode(error.code) });
        failureLog.failed(error, records);
      },
      onRotate: (archivePath) => {
        prometheus.self.rotations.inc();
        logger.info({ archivePath }, 'audit log rotated');
      },
      onSizeChange: (sizeBytes) => prometheus.self.logSizeBytes.set(sizeBytes),
      onTornTailRepaired: (bytes) => {
        prometheus.self.tornTailsRepaired.inc();
        logger.warn({ bytes }, 'moved a torn last line out of the audit log');
      },
    },
  });

  await replayLiveLog(auditLog, sinks, prometheus, logger);
  const applyToSinks = (call: NormalizedCall, dropped: readonly DroppedValue[]) => {
    for (const sink of sinks) sink.apply(call, dropped);
  };

  return {
    registry: prometheus.registry,
    auditLog,
    metricsHandler: createMetricsHandler(prometheus.registry, logger),

    async recordCall(input) {
      const normalized = normalizeCallRecord(input, Date.now());
      if (!normalized.ok) {
        prometheus.self.rejectedRecords.inc({ reason: 'not_an_object' });
        return { ok: false, code: 'invalid_record', message: normalized.reason };
      }

      const serialized = serializeRecord(normalized.record, normalized.dropped);
      if (!serialized.ok) {
        prometheus.self.rejectedRecords.inc({ reason: 'unserializable' });
        return { ok: false, code: 'invalid_record', message: serialized.reason };
      }

      try {
        await auditLog.append(serialized.line);
      } catch (error) {
        const code = error instanceof AppendError ? 'append_failed' : 'closed';
        return { ok: false, code, message: (error as Error).message };
      }

      applyToSinks(normalized.call, normalized.dropped);
      return RECORDED;
    },

    isReady: () => auditLog.isWritable(),
    close: () => auditLog.close(),
  };
}

async function replayLiveLog(
  auditLog: AuditLog,
  sinks: readonly CallSink[],
  prometheus: PrometheusSink,
  logger: Logger,
): Promise<void> {
  const stats = createReadStats();
  const startedAtMs = Date.now();

  for await (const chunk of readRecords(auditLog.livePath, { endOffset: auditLog.liveSizeBytes }, stats)) {
    for (const record of chunk.records) {
      const normalized = normalizeCallRecord(record, startedAtMs);
      if (!normalized.ok) continue;
      for (const sink of sinks) sink.apply(normalized.call, normalized.dropped);
    }
  }

  prometheus.self.badLines.inc({ reason: 'blank' }, stats.blankLines);
  prometheus.self.badLines.inc({ reason: 'invalid' }, stats.invalidLines);
  prometheus.self.badLines.inc({ reason: 'torn' }, stats.tornLines);
  logger.info(
    { path: auditLog.livePath, records: stats.records, badLines: stats.blankLines + stats.invalidLines + stats.tornLines, durationMs: Date.now() - startedAtMs },
    'replayed audit log into metrics',
  );
}

// Logs the first failure of a burst and the recovery, not every failed write:
// a full disk fails thousands of appends a second.
function createFailureLog(logger: Logger): { failed(error: NodeJS.ErrnoException, records: number): void; recovered(): void } {
  let failedRecords = 0;

  return {
    failed(error, records) {
      if (failedRecords === 0) logger.error({ err: error, code: error.code, records }, 'audit log append failed');
      failedRecords += records;
    },
    recovered() {
      if (failedRecords === 0) return;
      logger.info({ failedRecords }, 'audit log appends recovered');
      failedRecords = 0;
    },
  };
}

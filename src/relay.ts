import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNoopMeter, metrics, type Meter } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { AppendError, AuditLog } from './audit/audit-log.js';
import { writeCheckpoint } from './audit/checkpoint.js';
import type { AuditFileSystem } from './audit/file-system.js';
import type { LogPosition } from './audit/log-position.js';
import { silentLogger, type Logger } from './logger.js';
import { createMetricsHandler } from './metrics/metrics-handler.js';
import { PrometheusSink } from './metrics/prometheus-sink.js';
import { METER_NAME, OpenTelemetrySink } from './otel/otel-sink.js';
import { appendFailureCode } from './metrics/self-metrics.js';
import { normalizeCallRecord, type DroppedValue, type NormalizedCall } from './record/normalize.js';
import { serializeRecord } from './record/serialize.js';
import type { CallSink } from './record/sink.js';
import { restoreMetrics } from './restore-metrics.js';
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
  /**
   * Milliseconds between metric checkpoints, besides those at rotation,
   * delete, clear and close; 0 turns the timer off. A restart replays the log
   * written since the last checkpoint. Default 15,000.
   */
  checkpointIntervalMs?: number;
  /** Opens the live log file; tests pass one that injects write errors. */
  fileSystem?: AuditFileSystem;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 15_000;

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
 * Opens the audit log of `options.dataDir`, loads the metric checkpoint and
 * replays the log written after it, so `/metrics` continues from the totals of
 * every record ever acknowledged, and returns the recorder. Without a
 * checkpoint (first start) the live log is replayed whole.
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
  const meter = options.meter ?? metrics.getMeter(METER_NAME, VERSION);
  const sinks: CallSink[] = [prometheus, ...(options.sinks ?? [])];
  // Without an SDK the API hands out a no-op meter. Skipping the sink then
  // keeps its per-call bookkeeping (about 4% of a burst's CPU time in one profile) out of the hot path.
  if (!isNoopMeter(meter)) {
    sinks.splice(1, 0, new OpenTelemetrySink({ meter, maxModels: options.maxModels, modelAllowList: options.modelAllowList }));
  }
  const failureLog = createFailureLog(logger);
  const checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (!Number.isFinite(checkpointIntervalMs) || checkpointIntervalMs < 0) {
    throw new RangeError(`checkpointIntervalMs must be a number of milliseconds >= 0, got ${checkpointIntervalMs}`);
  }

  // Checkpoints wait until the saved state is loaded and replayed: one written
  // earlier (by a rotation on open) would save empty counters over good ones.
  let checkpointsEnabled = false;
  const saveCheckpoint = async (positions: readonly LogPosition[]) => {
    if (!checkpointsEnabled) return;
    await writeCheckpoint(options.dataDir, positions, await prometheus.exportState());
  };

  const auditLog = await AuditLog.open({
    dataDir: options.dataDir,
    rotateThresholdBytes: options.rotateThresholdBytes,
    fileSystem: options.fileSystem,
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
      writeCheckpoint: saveCheckpoint,
      onCheckpointFailure: (error) => {
        prometheus.self.checkpointFailures.inc();
        logger.error({ err: error }, 'metric checkpoint failed');
      },
    },
  });

  let timer: NodeJS.Timeout | undefined;
  try {
    await restoreMetrics(auditLog, sinks, prometheus, logger);
    checkpointsEnabled = true;
    await auditLog.checkpoint().catch((error: unknown) => {
      prometheus.self.checkpointFailures.inc();
      logger.error({ err: error }, 'metric checkpoint failed');
    });
    if (checkpointIntervalMs > 0) timer = startCheckpointTimer(auditLog, checkpointIntervalMs, prometheus, logger);
  } catch (error) {
    await auditLog.close();
    throw error;
  }

  const applyToSinks = (call: NormalizedCall, dropped: readonly DroppedValue[]) => {
    try {
      for (const sink of sinks) sink.apply(call, dropped);
    } catch (error) {
      // A sink broke its promise not to throw; the record is in the log, so the caller still gets ok.
      logger.error({ err: error }, 'a metric sink failed to apply a call');
    }
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

      // The sinks are updated inside the writer queue, right after the write,
      // so no checkpoint can contain a record in the log but not in the counters.
      try {
        await auditLog.append(serialized.line, () => applyToSinks(normalized.call, normalized.dropped));
      } catch (error) {
        const code = error instanceof AppendError ? 'append_failed' : 'closed';
        return { ok: false, code, message: (error as Error).message };
      }
      return RECORDED;
    },

    isReady: () => auditLog.isWritable(),
    async close() {
      clearInterval(timer);
      await auditLog.close();
    },
  };
}

function startCheckpointTimer(auditLog: AuditLog, intervalMs: number, prometheus: PrometheusSink, logger: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    auditLog.checkpoint().catch((error: unknown) => {
      prometheus.self.checkpointFailures.inc();
      logger.error({ err: error }, 'metric checkpoint failed');
    });
  }, intervalMs);
  // The timer must not keep a process alive that has nothing else to do.
  timer.unref();
  return timer;
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

const NOOP_METER_CLASS: unknown = createNoopMeter().constructor;

function isNoopMeter(meter: Meter): boolean {
  return meter.constructor === NOOP_METER_CLASS;
}

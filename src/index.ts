// The public API of relay-metrics, named export by export.
export { createRelayMetrics } from './relay.js';
export type { RecordCallResult, RelayMetrics, RelayMetricsOptions } from './relay.js';
export type { Logger } from './logger.js';

export type { CallRecord } from './record/call-record.js';
export { normalizeCallRecord } from './record/normalize.js';
export type { DroppedValue, DropReason, NormalizedCall, NormalizeResult } from './record/normalize.js';
export { classifyError, ERROR_CLASSES } from './record/error-class.js';
export type { ErrorClass } from './record/error-class.js';
export type { CallSink } from './record/sink.js';

export { AppendError, AuditLog, DEFAULT_ROTATE_THRESHOLD_BYTES } from './audit/audit-log.js';
export type { AuditLogHooks, AuditLogOptions } from './audit/audit-log.js';
export { DirectoryLockedError } from './audit/directory-lock.js';
export type { LockHolder } from './audit/directory-lock.js';
export { createReadStats, readRecords } from './audit/reader.js';
export type { ReadRecordsOptions, ReadStats, RecordChunk } from './audit/reader.js';
export { LIVE_LOG_NAME, listLogFiles } from './audit/log-files.js';

export { PrometheusSink } from './metrics/prometheus-sink.js';
export type { PrometheusSinkOptions } from './metrics/prometheus-sink.js';
export { createMetricsHandler } from './metrics/metrics-handler.js';
export { createApp } from './http/app.js';
export type { AppOptions } from './http/app.js';

export { errorSignature } from './record/error-signature.js';
export { createReport, DEFAULT_REPORT_LIMITS } from './report/stream-report.js';
export type { Report, ReportOptions } from './report/stream-report.js';
export type { ReportLimits } from './report/report-accumulator.js';
export { computeRevenue } from './report/revenue.js';
export type { RevenueInput } from './report/revenue.js';
export type { AggregateResult, RevenueResult } from './report/report-types.js';
export { parseTimeRange, TimeBoundError } from './report/time-range.js';

export { METER_NAME, OpenTelemetrySink } from './otel/otel-sink.js';
export type { OpenTelemetrySinkOptions } from './otel/otel-sink.js';

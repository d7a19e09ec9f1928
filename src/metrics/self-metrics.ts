import { Counter, Gauge, type Registry } from 'prom-client';

/** The exporter's metrics about itself: the audit log's health and what input it had to drop. */
/** Error codes that get their own `code` label value on append failures; any other code is `other`. */
export const APPEND_FAILURE_CODES = ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EAGAIN', 'other'] as const;

/** Maps an errno code to a bounded `code` label value. */
export function appendFailureCode(code: string | undefined): string {
  return (APPEND_FAILURE_CODES as readonly string[]).includes(code ?? '') ? code! : 'other';
}

export interface SelfMetrics {
  recordsAppended: Counter<never>;
  appendFailures: Counter<'code'>;
  logSizeBytes: Gauge<never>;
  rotations: Counter<never>;
  badLines: Counter<'reason'>;
  tornTailsRepaired: Counter<never>;
  droppedValues: Counter<'field' | 'reason'>;
  rejectedRecords: Counter<'reason'>;
  labelOverflows: Counter<'label'>;
  checkpointFailures: Counter<never>;
  buildInfo: Gauge<'version' | 'nodejs_version'>;
}

export function createSelfMetrics(registry: Registry, version: string): SelfMetrics {
  const registers = [registry];

  const metrics: SelfMetrics = {
    recordsAppended: new Counter({
      name: 'relay_audit_records_appended_total',
      help: 'Records written to the audit log.',
      registers,
    }),
    appendFailures: new Counter({
      name: 'relay_audit_append_failures_total',
      help: 'Audit log writes that failed, by error code; their records were not acknowledged.',
      labelNames: ['code'],
      registers,
    }),
    logSizeBytes: new Gauge({
      name: 'relay_audit_log_size_bytes',
      help: 'Size of the live audit log file in bytes.',
      registers,
    }),
    rotations: new Counter({
      name: 'relay_audit_rotations_total',
      help: 'Rotations of the live audit log to a dated archive.',
      registers,
    }),
    badLines: new Counter({
      name: 'relay_audit_bad_lines_total',
      help: 'Audit log lines skipped while reading, by reason (blank, invalid, torn).',
      labelNames: ['reason'],
      registers,
    }),
    tornTailsRepaired: new Counter({
      name: 'relay_audit_torn_tails_repaired_total',
      help: 'Torn last lines moved out of the live log when it was opened.',
      registers,
    }),
    droppedValues: new Counter({
      name: 'relay_dropped_values_total',
      help: 'Record values kept in the log but left out of the metrics, by field and reason.',
      labelNames: ['field', 'reason'],
      registers,
    }),
    rejectedRecords: new Counter({
      name: 'relay_rejected_records_total',
      help: 'Inputs rejected before reaching the audit log, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    labelOverflows: new Counter({
      name: 'relay_label_overflows_total',
      help: 'Label values replaced by "other" because the label reached its limit of distinct values.',
      labelNames: ['label'],
      registers,
    }),
    checkpointFailures: new Counter({
      name: 'relay_checkpoint_failures_total',
      help: 'Metric checkpoints that could not be written; a restart then replays more of the log.',
      registers,
    }),
    buildInfo: new Gauge({
      name: 'relay_build_info',
      help: 'Always 1; labels carry the relay-metrics and Node.js versions.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }),
  };

  metrics.buildInfo.set({ version, nodejs_version: process.version }, 1);
  for (const reason of ['blank', 'invalid', 'torn']) metrics.badLines.inc({ reason }, 0);
  for (const code of APPEND_FAILURE_CODES) metrics.appendFailures.inc({ code }, 0);
  return metrics;
}

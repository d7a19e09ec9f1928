import type { AuditLog } from './audit/audit-log.js';
import { planReplay, readCheckpoint, removeStaleCheckpointFiles, type ReplaySegment } from './audit/checkpoint.js';
import { createReadStats, readRecords } from './audit/reader.js';
import type { Logger } from './logger.js';
import type { PrometheusSink } from './metrics/prometheus-sink.js';
import { normalizeCallRecord } from './record/normalize.js';
import type { CallSink } from './record/sink.js';

/**
 * Loads the checkpoint into the Prometheus sink and replays the log records
 * after it. A damaged checkpoint is logged and the live log replayed
 * whole, because refusing to start would stop the relay over its metrics.
 */
export async function restoreMetrics(auditLog: AuditLog, sinks: readonly CallSink[], prometheus: PrometheusSink, logger: Logger): Promise<void> {
  let segments: ReplaySegment[] = [{ path: auditLog.livePath, startOffset: 0 }];
  let resumed = false;

  try {
    const removed = await removeStaleCheckpointFiles(auditLog.dataDir);
    if (removed > 0) logger.info({ files: removed }, 'removed temporary checkpoint files left by a crash');
    const checkpoint = await readCheckpoint(auditLog.dataDir);
    if (checkpoint !== undefined) {
      prometheus.importState(checkpoint.state);
      const plan = await planReplay(auditLog.dataDir, auditLog.livePath, checkpoint.positions);
      segments = plan.segments;
      resumed = true;
      const fields = { reason: plan.reason, writtenAt: checkpoint.writtenAt, segments };
      if (plan.reason === 'live_file_matched' || plan.reason === 'rotated_while_stopped') logger.info(fields, 'loaded metric checkpoint');
      else logger.warn(fields, 'loaded metric checkpoint; records after it may be missing from the counters');
    }
  } catch (error) {
    logger.error({ err: error }, 'metric checkpoint unusable; replaying the live log from its start');
  }

  const replayed = await replaySegments(segments, auditLog, sinks, prometheus, logger);
  // Records after a checkpoint were appended by the previous run, which had not saved them yet.
  if (resumed) prometheus.self.recordsAppended.inc(replayed);
}

async function replaySegments(
  segments: readonly ReplaySegment[],
  auditLog: AuditLog,
  sinks: readonly CallSink[],
  prometheus: PrometheusSink,
  logger: Logger,
): Promise<number> {
  const stats = createReadStats();
  const startedAtMs = Date.now();

  for (const segment of segments) {
    // The live file may not grow during the replay (no appends yet), but its size is fixed here to be sure.
    const endOffset = segment.path === auditLog.livePath ? auditLog.liveSizeBytes : undefined;
    for await (const chunk of readRecords(segment.path, { startOffset: segment.startOffset, endOffset }, stats)) {
      for (const record of chunk.records) {
        const normalized = normalizeCallRecord(record, startedAtMs);
        if (!normalized.ok) continue;
        for (const sink of sinks) sink.apply(normalized.call, normalized.dropped);
      }
    }
  }

  prometheus.self.badLines.inc({ reason: 'blank' }, stats.blankLines);
  prometheus.self.badLines.inc({ reason: 'invalid' }, stats.invalidLines);
  prometheus.self.badLines.inc({ reason: 'torn' }, stats.tornLines);
  logger.info(
    { segments: segments.length, records: stats.records, badLines: stats.blankLines + stats.invalidLines + stats.tornLines, durationMs: Date.now() - startedAtMs },
    'replayed audit log into metrics',
  );
  return stats.records;
}

import { Counter, Gauge, type Registry } from 'prom-client';

/** The tailer's metrics about itself, shaped to be passed as its hooks. */
export interface TailMetrics {
  onLines(lines: number, bytes: number): void;
  onBadLines(reason: 'blank' | 'invalid', count: number): void;
  onRotation(): void;
  onTruncation(): void;
  onReplacement(): void;
  onPosition(offsetBytes: number): void;
  onRecordTime(tsMs: number): void;
}

/** Registers the `relay_tail_*` families on `registry` and returns hooks that update them. */
export function createTailMetrics(registry: Registry, nowMs: () => number = Date.now): TailMetrics {
  const registers = [registry];
  const lines = new Counter({ name: 'relay_tail_lines_total', help: 'Complete lines read from the followed log.', registers });
  const badLines = new Counter({
    name: 'relay_tail_bad_lines_total',
    help: 'Lines of the followed log skipped because they were blank or not a JSON object, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const bytes = new Counter({ name: 'relay_tail_read_bytes_total', help: 'Bytes of complete lines read from the followed log.', registers });
  const rotations = new Counter({ name: 'relay_tail_rotations_total', help: 'Rotations by rename of the followed log.', registers });
  const truncations = new Counter({
    name: 'relay_tail_truncations_total',
    help: 'Times the followed log shrank below the read position (copy-and-truncate or cleared).',
    registers,
  });
  const replacements = new Counter({
    name: 'relay_tail_replacements_total',
    help: 'Times a rewritten file was renamed over the followed log (delete by job id, clear).',
    registers,
  });
  const position = new Gauge({ name: 'relay_tail_position_bytes', help: 'Read position in the followed log file in bytes.', registers });

  let newestRecordMs: number | undefined;
  new Gauge({
    name: 'relay_tail_lag_seconds',
    help: 'Seconds between now and the newest record time read; grows while the writer is idle too.',
    registers,
    collect() {
      if (newestRecordMs !== undefined) this.set(Math.max(0, (nowMs() - newestRecordMs) / 1000));
    },
  });
  for (const reason of ['blank', 'invalid']) badLines.inc({ reason }, 0);

  return {
    onLines(count, byteCount) {
      lines.inc(count);
      bytes.inc(byteCount);
    },
    onBadLines: (reason, count) => badLines.inc({ reason }, count),
    onRotation: () => rotations.inc(),
    onTruncation: () => truncations.inc(),
    onReplacement: () => replacements.inc(),
    onPosition: (offsetBytes) => position.set(offsetBytes),
    onRecordTime(tsMs) {
      newestRecordMs = tsMs;
    },
  };
}

import type { Report } from '../report/stream-report.js';

type Cell = string | number | boolean | null;

/** Rows listed per table on a terminal; the JSON output lists them all. */
const TERMINAL_ROWS = 20;

/** Renders the report as plain-text tables for a terminal. */
export function formatReportTables(report: Report): string {
  const { summary, revenue } = report;
  const sections = [
    `Report ${report.range.since ?? 'start'} to ${report.range.until ?? 'end'}: ${report.source.records} records from ${countOf(report.source.files.length, 'file')}` +
      ` (${report.source.invalid_lines + report.source.torn_lines + report.source.blank_lines} lines skipped)`,
    table('Summary', ['calls', 'success', 'errors', 'refused', 'success rate', 'cost USD', 'avg ms', 'summaries'], [
      [summary.calls, summary.success, summary.errors, summary.refused, percent(summary.success_rate), summary.total_cost_usd, summary.avg_duration_ms, summary.total_summaries],
    ]),
    table('By tier', ['tier', 'calls', 'cost USD', 'avg ms', 'users'], report.by_tier.map((row) => [row.tier, row.calls, row.cost_usd, row.avg_duration_ms, row.unique_installs])),
    table('By model', ['model', 'calls', 'cost USD', 'avg ms', 'avg USD'], report.by_model.map((row) => [row.model, row.calls, row.cost_usd, row.avg_duration_ms, row.avg_cost_usd])),
    table('By pipeline', ['pipeline', 'calls', 'cost USD', 'avg ms'], report.by_pipeline.map((row) => [row.pipeline, row.calls, row.cost_usd, row.avg_duration_ms])),
    table('By backend', ['backend', 'calls', 'cost USD', 'avg ms'], report.by_backend.map((row) => [row.backend, row.calls, row.cost_usd, row.avg_duration_ms])),
    table('Top installs by cost', ['install', 'tier', 'calls', 'cost USD', 'summaries', 'last active'], report.by_install.map((row) => [row.install_id, row.tier_snapshot, row.calls, row.cost_usd, row.summaries, isoTime(row.last_active_at)])),
    table('Top licenses by cost', ['license', 'tier', 'calls', 'cost USD', 'installs', 'last active'], report.by_license.map((row) => [row.license_fingerprint, row.tier_snapshot, row.calls, row.cost_usd, row.unique_installs, isoTime(row.last_active_at)])),
    table(`Newest summaries (${report.summaries_total} in range)`, ['job', 'install', 'tier', 'completed', 'status', 'cost USD', 'ms'], report.by_summary.map((row) => [row.job_id, row.install_id, row.tier, isoTime(row.completed_at), row.status, row.total_cost_usd, row.total_duration_ms])),
    table('Performance per pipeline and model', ['pipeline', 'model', 'calls', 'failures', 'success rate', 'ms/audio min', 'ms/1k tokens', 'top error'], report.perf_by_model.map((row) => [row.pipeline, row.model, row.calls, row.failures, row.success_rate === null ? null : percent(row.success_rate), row.ms_per_audio_minute, row.ms_per_1k_input_tokens, row.top_errors[0] === undefined ? null : `${row.top_errors[0].count}× ${row.top_errors[0].signature}`])),
    table('Newest errors', ['time', 'install', 'pipeline', 'model', 'signature'], report.errors.map((row) => [isoTime(row.ts), row.install_id, row.pipeline, row.model, row.signature])),
    table('Revenue estimate (monthly)', ['tier', 'active', 'price USD', 'revenue USD'], revenue.by_tier_revenue.map((row) => [row.tier, row.active_installs, row.price_usd, row.revenue_usd])),
    `Revenue ${revenue.monthly_revenue_usd} USD, Gemini cost in range ${revenue.gemini_cost_usd_in_range} USD, margin ${revenue.margin_usd} USD`,
  ];
  return `${sections.join('\n\n')}\n`;
}

function table(title: string, headers: string[], rows: Cell[][]): string {
  if (rows.length === 0) return `${title}\n  (none)`;

  const visibleRows = rows.slice(0, TERMINAL_ROWS).map((row) => row.map(formatCell));
  const widths = headers.map((header, column) => Math.max(header.length, ...visibleRows.map((row) => row[column]!.length)));
  const formatLine = (cells: string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd();

  const lines = [title, formatLine(headers), ...visibleRows.map(formatLine)];
  if (rows.length > visibleRows.length) lines.push(`  … ${rows.length - visibleRows.length} more rows; use --json for all`);
  return lines.join('\n');
}

function formatCell(value: Cell): string {
  if (value === null) return '-';
  return String(value);
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function isoTime(timeMs: number | null): string | null {
  return timeMs === null ? null : new Date(timeMs).toISOString().slice(0, 19).replace('T', ' ');
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

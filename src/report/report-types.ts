// Row shapes of the report. Field names are snake_case because they are the
// JSON shape that existing relay dashboards read from the original module's
// `aggregate`; times are milliseconds since the epoch, money is US dollars.

export interface TierCounts {
  core: number;
  pro: number;
  max: number;
}

export interface SummaryTotals {
  calls: number;
  success: number;
  errors: number;
  refused: number;
  /** success ÷ calls, refusals included in the denominator; 0 when there are no calls. */
  success_rate: number;
  total_cost_usd: number;
  total_duration_ms: number;
  avg_duration_ms: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_thinking_tokens: number;
  /** Distinct job ids. */
  total_summaries: number;
  active_installs_by_tier: TierCounts;
}

export interface TierRow {
  tier: string;
  calls: number;
  cost_usd: number;
  avg_duration_ms: number;
  unique_installs: number;
}

export interface ModelRow {
  model: string;
  calls: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  thinking_tokens: number;
  avg_duration_ms: number;
  avg_cost_usd: number;
}

export interface PipelineRow {
  pipeline: string;
  calls: number;
  cost_usd: number;
  avg_duration_ms: number;
}

export interface BackendRow {
  backend: string;
  calls: number;
  cost_usd: number;
  avg_duration_ms: number;
}

export interface InstallRow {
  install_id: string;
  tier_snapshot: string;
  calls: number;
  cost_usd: number;
  summaries: number;
  avg_duration_ms: number;
  last_active_at: number | null;
}

export interface LicenseRow {
  license_fingerprint: string;
  tier_snapshot: string;
  calls: number;
  cost_usd: number;
  summaries: number;
  unique_installs: number;
  avg_duration_ms: number;
  last_active_at: number | null;
}

export interface HourRow {
  hour_utc: number;
  calls: number;
  cost_usd: number;
}

export interface CostSpeedRow {
  model: string;
  avg_cost_usd: number;
  avg_duration_ms: number;
  calls: number;
}

export type SummaryStatus = 'success' | 'error' | 'partial';

export interface SummaryRow {
  job_id: string;
  install_id: string | null;
  tier: string;
  started_at: number | null;
  completed_at: number | null;
  transcribe_backend: string | null;
  transcribe_model: string | null;
  analyze_backend: string | null;
  analyze_model: string | null;
  total_cost_usd: number;
  total_duration_ms: number;
  status: SummaryStatus;
  had_transcribe: boolean;
  had_analyze: boolean;
}

export interface ErrorRow {
  ts: number | null;
  install_id: string | null;
  tier: string | null;
  pipeline: string | null;
  backend: string | null;
  model: string | null;
  duration_ms: number | null;
  /** The first 280 characters of the error text. */
  error: string;
  attempts: number | null;
  /** The error text with ids, times, addresses and large numbers replaced, for grouping. */
  signature: string;
}

export interface SignatureCount {
  signature: string;
  count: number;
}

export interface PerfRow {
  pipeline: string;
  model: string;
  calls: number;
  success: number;
  errors: number;
  refused: number;
  partials: number;
  /** errors + partials. */
  failures: number;
  /** success ÷ (success + errors), refusals and partials left out; null when both are 0. */
  success_rate: number | null;
  ms_per_audio_minute: number | null;
  ms_per_1k_input_tokens: number | null;
  total_audio_minutes: number | null;
  top_errors: SignatureCount[];
}

/** The result of the original module's `aggregate(entries)`, key for key. */
export interface AggregateResult {
  summary: SummaryTotals;
  by_tier: TierRow[];
  by_model: ModelRow[];
  by_pipeline: PipelineRow[];
  by_backend: BackendRow[];
  by_install: InstallRow[];
  by_license: LicenseRow[];
  by_hour_utc: HourRow[];
  cost_vs_speed: CostSpeedRow[];
  by_summary: SummaryRow[];
  errors: ErrorRow[];
  perf_by_model: PerfRow[];
}

export interface TierRevenueRow {
  tier: string;
  active_installs: number;
  price_usd: number;
  revenue_usd: number;
}

export interface RevenueResult {
  monthly_revenue_usd: number;
  gemini_cost_usd_in_range: number;
  margin_usd: number;
  by_tier_revenue: TierRevenueRow[];
}

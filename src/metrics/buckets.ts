/** Upper bounds of `relay_call_duration_seconds`: analyze calls take seconds, transcriptions up to half an hour. */
export const DURATION_BUCKETS_SECONDS = [
  0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800,
] as const;

/** Upper bounds of `relay_call_cost_usd`: from a fraction of a cent to a few dollars per call. */
export const COST_BUCKETS_USD = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

/** Upper bounds of `relay_call_tokens`: an hour of audio is about 115,000 input tokens. */
export const TOKEN_BUCKETS = [
  100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
] as const;

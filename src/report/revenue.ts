import { TIERS } from '../record/call-record.js';
import type { RevenueResult, TierCounts } from './report-types.js';
import { roundUsd } from './rounding.js';

export interface RevenueInput {
  activeInstallsByTier: Partial<TierCounts>;
  /** Monthly price per tier in US dollars; a missing, negative or non-numeric price counts as 0. */
  prices?: Partial<Record<string, number>>;
  /** Provider (Gemini) cost over the report's range, in US dollars. */
  geminiCostInRange?: number;
}

/**
 * Estimates monthly revenue as active users times tier price, and the margin
 * after the provider cost of the range. It is an estimate: it assumes every
 * active user of a paid tier paid for the month.
 */
export function computeRevenue(input: RevenueInput): RevenueResult {
  const byTier = TIERS.map((tier) => {
    const activeInstalls = validAmount(input.activeInstallsByTier[tier]);
    const priceUsd = validAmount(input.prices?.[tier]);
    return { tier, active_installs: activeInstalls, price_usd: priceUsd, revenue_usd: roundUsd(activeInstalls * priceUsd) };
  });

  const monthlyRevenueUsd = byTier.reduce((sum, row) => sum + row.revenue_usd, 0);
  const geminiCostUsd = validAmount(input.geminiCostInRange);
  return {
    monthly_revenue_usd: roundUsd(monthlyRevenueUsd),
    gemini_cost_usd_in_range: roundUsd(geminiCostUsd),
    margin_usd: roundUsd(monthlyRevenueUsd - geminiCostUsd),
    by_tier_revenue: byTier,
  };
}

function validAmount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

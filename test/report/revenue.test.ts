import { describe, expect, it } from 'vitest';
import { computeRevenue } from '../../src/report/revenue.js';

describe('computeRevenue', () => {
  it('multiplies active users by price per tier', () => {
    const revenue = computeRevenue({
      activeInstallsByTier: { core: 100, pro: 10, max: 3 },
      prices: { core: 0, pro: 12, max: 39 },
      geminiCostInRange: 50.5,
    });

    expect(revenue.by_tier_revenue).toEqual([
      { tier: 'core', active_installs: 100, price_usd: 0, revenue_usd: 0 },
      { tier: 'pro', active_installs: 10, price_usd: 12, revenue_usd: 120 },
      { tier: 'max', active_installs: 3, price_usd: 39, revenue_usd: 117 },
    ]);
    expect(revenue.monthly_revenue_usd).toBe(237);
    expect(revenue.gemini_cost_usd_in_range).toBe(50.5);
    expect(revenue.margin_usd).toBe(186.5);
  });

  it('counts missing and negative prices as zero', () => {
    const revenue = computeRevenue({ activeInstallsByTier: { core: 1, pro: 2, max: 3 }, prices: { pro: -5, max: Number.NaN } });
    expect(revenue.monthly_revenue_usd).toBe(0);
    expect(revenue.by_tier_revenue.map((row) => row.price_usd)).toEqual([0, 0, 0]);
    expect(revenue.margin_usd).toBe(0);
  });
});

import { TIERS, type Tier } from '../record/call-record.js';
import type { NormalizedCall } from '../record/normalize.js';

export const ACTIVE_WINDOW_MS = 30 * 24 * 3600 * 1000;

// A record time further ahead than this is a unit mistake (microseconds, say),
// not clock skew between the relay and the exporter.
const MAX_FUTURE_SKEW_MS = 24 * 3600 * 1000;

/**
 * Distinct users per tier over a rolling window: install ids for core, license
 * fingerprints (else install ids, for records older than licenses) for paid
 * tiers. A record without a tier counts as core, as the original log did.
 */
export class ActiveUsers {
  private readonly lastSeenByTier = new Map<Tier, Map<string, number>>(
    TIERS.map((tier) => [tier, new Map<string, number>()]),
  );

  constructor(private readonly windowMs: number = ACTIVE_WINDOW_MS) {}

  observe(call: NormalizedCall): void {
    if (call.tsMs === undefined) return;
    const tier = call.tier === 'unknown' ? 'core' : call.tier;
    const seen = this.lastSeenByTier.get(tier as Tier);
    if (seen === undefined) return;

    const userId = tier === 'core' ? call.installId : (call.licenseFingerprint ?? call.installId);
    if (userId === undefined) return;

    const previous = seen.get(userId);
    if (previous === undefined || previous < call.tsMs) seen.set(userId, call.tsMs);
  }

  /** Returns each tier's users and the time each was last seen (ms since the epoch). */
  lastSeen(): Array<[Tier, Array<[string, number]>]> {
    return [...this.lastSeenByTier].map(([tier, seen]) => [tier, [...seen]]);
  }

  /** Merges saved last-seen times, keeping the later time when a user is already known. */
  restoreLastSeen(entries: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, number]>]>): void {
    for (const [tier, users] of entries) {
      const seen = this.lastSeenByTier.get(tier as Tier);
      if (seen === undefined) continue;
      for (const [userId, lastSeenMs] of users) {
        const previous = seen.get(userId);
        if (previous === undefined || previous < lastSeenMs) seen.set(userId, lastSeenMs);
      }
    }
  }

  /**
   * Counts users seen within the window ending at `nowMs`. Forgets users last
   * seen before the window, and users whose time lies more than a day ahead of
   * `nowMs`, which would otherwise count as active forever.
   */
  countByTier(nowMs: number): Map<Tier, number> {
    const cutoffMs = nowMs - this.windowMs;
    const futureLimitMs = nowMs + MAX_FUTURE_SKEW_MS;
    const counts = new Map<Tier, number>();

    for (const [tier, seen] of this.lastSeenByTier) {
      for (const [userId, lastSeenMs] of seen) {
        if (lastSeenMs < cutoffMs || lastSeenMs > futureLimitMs) seen.delete(userId);
      }
      counts.set(tier, seen.size);
    }
    return counts;
  }
}

import { TIERS } from '../record/call-record.js';
import { UsageError } from './usage-error.js';

/** Returns the flag's value, else the environment variable's, else undefined. */
export function flagOrEnv(flagValue: string | undefined, envName: string): string | undefined {
  if (flagValue !== undefined) return flagValue;
  const envValue = process.env[envName];
  return envValue === undefined || envValue === '' ? undefined : envValue;
}

/** Parses a whole number within [min, max]; `source` names the flag in the error. */
export function parseInteger(value: string, source: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${source} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses `core=0,pro=12,max=39` into prices in US dollars. */
export function parseTierPrices(value: string, source: string): Record<string, number> {
  const prices: Record<string, number> = {};

  for (const pair of value.split(',').filter((part) => part.trim() !== '')) {
    const parts = pair.split('=').map((part) => part.trim());
    const [tier, price] = parts;
    const amount = Number(price);
    if (parts.length !== 2 || tier === undefined || tier === '' || price === undefined || price === '' || !Number.isFinite(amount) || amount < 0) {
      throw new UsageError(`${source} takes tier=price pairs in US dollars such as "core=0,pro=12,max=39", got ${JSON.stringify(pair)}`);
    }
    // Prices are read for the known tiers only, so any other name would be ignored without a word.
    if (!(TIERS as readonly string[]).includes(tier)) {
      throw new UsageError(`${source} names the unknown tier ${JSON.stringify(tier)}: use ${TIERS.join(', ')}`);
    }
    prices[tier] = amount;
  }
  return prices;
}

/** True for the addresses that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

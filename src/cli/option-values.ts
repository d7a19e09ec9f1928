import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/**
 * Parses a command's arguments strictly. An unknown flag or a missing value
 * becomes a UsageError that points at the command's help.
 */
type CommandOptions = NonNullable<ParseArgsConfig['options']>;
type CommandArgsConfig<T extends CommandOptions> = { args: string[]; options: T; strict: true; allowPositionals: boolean };

export function parseCommandArgs<T extends CommandOptions>(
  command: string,
  args: string[],
  options: T,
  allowPositionals: boolean,
): ReturnType<typeof parseArgs<CommandArgsConfig<T>>> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; see relay-metrics ${command} --help`);
  }
}

/** Reads a whole-number flag, else its environment variable; undefined when neither is set. */
export function optionalIntegerFlag(
  values: Record<string, unknown>,
  flag: string,
  envName: string,
  min: number,
  max: number,
): number | undefined {
  const flagValue = values[flag];
  const value = flagOrEnv(typeof flagValue === 'string' ? flagValue : undefined, envName);
  return value === undefined ? undefined : parseInteger(value, `--${flag}`, min, max);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads --log-level, else RELAY_METRICS_LOG_LEVEL, else info, and checks it is a pino level. */
export function logLevelFlag(flagValue: string | undefined): string {
  const logLevel = flagOrEnv(flagValue, 'RELAY_METRICS_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(logLevel)}`);
  }
  return logLevel;
}

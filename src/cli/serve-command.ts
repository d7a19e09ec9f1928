import { chmod, copyFile, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';
import { DirectoryLockedError } from '../audit/directory-lock.js';
import { ensureDirectory } from '../audit/ensure-directory.js';
import { LIVE_LOG_NAME } from '../audit/log-files.js';
import { createApp, DEFAULT_BODY_LIMIT_BYTES } from '../http/app.js';
import { sendClientErrorsAsJson } from '../http/client-error.js';
import { createRelayMetrics, type RelayMetrics } from '../relay.js';
import type { Command } from './command.js';
import { flagOrEnv, isLoopbackHost, logLevelFlag, optionalIntegerFlag, parseCommandArgs, parseTierPrices } from './option-values.js';
import { listen } from './listen.js';
import type { OtlpExport } from './otlp-export.js';
import { shutdownOtlp, startOtlp } from './otlp-lifecycle.js';
import { readOtlpSettings, type OtlpSettings } from './otlp-settings.js';
import { StartupError, UsageError } from './usage-error.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

const HELP = `Usage: relay-metrics serve --data-dir DIR [options]

Records relay calls posted over HTTP to the audit log in DIR and serves them
as Prometheus metrics. On start, the metric checkpoint in DIR is loaded and
the log written after it is replayed, so counters continue where they were.

Options (each also read from the environment variable shown):
  --data-dir DIR          audit log directory, created when missing   RELAY_METRICS_DATA_DIR
  --host HOST             address to listen on (default 127.0.0.1)     RELAY_METRICS_HOST
  --port PORT             TCP port (default 9477)                      RELAY_METRICS_PORT
  --token TOKEN           bearer token required by /v1 and /api; needed  RELAY_METRICS_TOKEN
                          when --host is not a loopback address
  --max-body-bytes N      largest accepted request body in bytes       RELAY_METRICS_MAX_BODY_BYTES
                          (default ${DEFAULT_BODY_LIMIT_BYTES})
  --rotate-bytes N        rotate the live log at this size in bytes    RELAY_METRICS_ROTATE_BYTES
                          (default 52428800, 50 MiB)
  --checkpoint-interval-ms N                                           RELAY_METRICS_CHECKPOINT_INTERVAL_MS
                          milliseconds between metric checkpoints; a
                          restart replays the log written since the
                          last one (default 15000, 0 turns the timer off)
  --max-models N          distinct model label values before "other"   RELAY_METRICS_MAX_MODELS
                          (default 50)
  --tier-prices LIST      monthly price per tier in US dollars,        RELAY_METRICS_TIER_PRICES
                          e.g. core=0,pro=12,max=39 (default all 0)
  --seed FILE             when the live log is missing or empty, start
                          from a copy of FILE (used by the demo)
  --log-level LEVEL       pino level: fatal, error, warn, info, debug  RELAY_METRICS_LOG_LEVEL
                          (default info)
  --otlp-endpoint URL     push OpenTelemetry metrics over OTLP/HTTP    OTEL_EXPORTER_OTLP_ENDPOINT
                          JSON to URL/v1/metrics, e.g.
                          http://127.0.0.1:4318 (default: off)
  -h, --help              show this help

OpenTelemetry export also starts when OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (the
full URL) is set, and reads OTEL_METRIC_EXPORT_INTERVAL and
OTEL_METRIC_EXPORT_TIMEOUT (milliseconds, default 60000 and 30000),
OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
OTEL_SDK_DISABLED=true turns it off. /metrics is served either way.

Endpoints: GET /metrics, GET /healthz, GET /readyz, POST /v1/calls,
POST /v1/calls/delete, POST /v1/calls/clear, GET /api/report.`;

interface ServeConfig {
  dataDir: string;
  host: string;
  port: number;
  token: string | undefined;
  bodyLimitBytes: number;
  rotateThresholdBytes: number | undefined;
  checkpointIntervalMs: number | undefined;
  maxModels: number | undefined;
  tierPricesUsd: Record<string, number> | undefined;
  seedPath: string | undefined;
  logLevel: string;
  otlp: OtlpSettings;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'record calls posted over HTTP and serve /metrics',
  help: HELP,
  async run(args) {
    const config = parseServeArgs(args);
    if (config === undefined) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    return serve(config);
  },
};

function parseServeArgs(args: string[]): ServeConfig | undefined {
  const { values } = parseCommandArgs('serve', args, SERVE_OPTIONS, false);
  if (values.help === true) return undefined;

  const dataDir = flagOrEnv(values['data-dir'], 'RELAY_METRICS_DATA_DIR');
  if (dataDir === undefined || dataDir.trim() === '') throw new UsageError('missing --data-dir: name the directory that contains the audit log');

  const host = flagOrEnv(values.host, 'RELAY_METRICS_HOST') ?? '127.0.0.1';
  const token = flagOrEnv(values.token, 'RELAY_METRICS_TOKEN');
  if (token !== undefined) checkToken(token);
  if (!isLoopbackHost(host) && token === undefined) {
    throw new UsageError(`--host ${host} exposes ingest and delete routes beyond this machine: set --token or RELAY_METRICS_TOKEN`);
  }

  const optionalInteger = (flag: string, envName: string, min: number, max: number) =>
    optionalIntegerFlag(values, flag, envName, min, max);
  const tierPrices = flagOrEnv(values['tier-prices'], 'RELAY_METRICS_TIER_PRICES');
  const logLevel = logLevelFlag(values['log-level']);

  return {
    dataDir,
    host,
    port: optionalInteger('port', 'RELAY_METRICS_PORT', 0, 65535) ?? 9477,
    token,
    bodyLimitBytes: optionalInteger('max-body-bytes', 'RELAY_METRICS_MAX_BODY_BYTES', 1, 1024 ** 3) ?? DEFAULT_BODY_LIMIT_BYTES,
    rotateThresholdBytes: optionalInteger('rotate-bytes', 'RELAY_METRICS_ROTATE_BYTES', 1024, Number.MAX_SAFE_INTEGER),
    checkpointIntervalMs: optionalInteger('checkpoint-interval-ms', 'RELAY_METRICS_CHECKPOINT_INTERVAL_MS', 0, 24 * 3600 * 1000),
    maxModels: optionalInteger('max-models', 'RELAY_METRICS_MAX_MODELS', 0, 10_000),
    tierPricesUsd: tierPrices === undefined ? undefined : parseTierPrices(tierPrices, '--tier-prices'),
    seedPath: values.seed,
    logLevel,
    otlp: readOtlpSettings(values['otlp-endpoint']),
  };
}

// The bearer check trims the header's value, so a token with white space
// around it could never match, and an empty one would guard nothing. The
// messages leave the token's value out because it is a credential.
function checkToken(token: string): void {
  if (token.trim() === '') {
    throw new UsageError('--token (or RELAY_METRICS_TOKEN) is empty: pass a random string, or leave it unset on a loopback host');
  }
  if (token !== token.trim()) {
    throw new UsageError('--token (or RELAY_METRICS_TOKEN) starts or ends with white space, which clients cannot send: remove it');
  }
}

const SERVE_OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'rotate-bytes': { type: 'string' },
  'checkpoint-interval-ms': { type: 'string' },
  'max-models': { type: 'string' },
  'tier-prices': { type: 'string' },
  seed: { type: 'string' },
  'log-level': { type: 'string' },
  'otlp-endpoint': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function serve(config: ServeConfig): Promise<number> {
  const logger = pino({ level: config.logLevel, base: { service: 'relay-metrics' } });

  if (config.seedPath !== undefined) await seedLiveLog(config.dataDir, config.seedPath, logger);
  const otlp = await startOtlp(config.otlp, logger);

  let relay: RelayMetrics;
  let server: Server;
  try {
    relay = await openRelay(config, otlp, logger);
  } catch (error) {
    await shutdownOtlp(otlp, logger);
    throw error;
  }
  try {
    const app = createApp({ relay, logger, token: config.token, bodyLimitBytes: config.bodyLimitBytes, tierPricesUsd: config.tierPricesUsd });
    server = await listen(app, config.host, config.port);
    sendClientErrorsAsJson(server, logger);
  } catch (error) {
    await relay.close();
    await shutdownOtlp(otlp, logger);
    throw error;
  }

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ host: config.host, port, dataDir: config.dataDir, token: config.token !== undefined }, 'relay-metrics listening');

  return waitForShutdown(server, relay, otlp, logger);
}

async function openRelay(config: ServeConfig, otlp: OtlpExport | undefined, logger: PinoLogger): Promise<RelayMetrics> {
  try {
    return await createRelayMetrics({
      dataDir: config.dataDir,
      rotateThresholdBytes: config.rotateThresholdBytes,
      checkpointIntervalMs: config.checkpointIntervalMs,
      maxModels: config.maxModels,
      tierPricesUsd: config.tierPricesUsd,
      meter: otlp?.meter,
      logger,
    });
  } catch (error) {
    if (error instanceof DirectoryLockedError) throw new StartupError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') {
      const path = (error as NodeJS.ErrnoException).path ?? join(config.dataDir, LIVE_LOG_NAME);
      throw new StartupError(`${path} is a directory where the live audit log belongs: move it out of ${config.dataDir}`);
    }
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      throw new StartupError(`data directory ${config.dataDir} is not a directory (${code}): it or one of its parents is a file, so choose another --data-dir`);
    }
    if (code !== undefined && ['EACCES', 'EPERM', 'EROFS', 'ENOENT'].includes(code)) {
      throw new StartupError(
        `data directory ${config.dataDir} is not writable (${code}): choose another --data-dir or fix its permissions`,
      );
    }
    throw error;
  }
}

async function seedLiveLog(dataDir: string, seedPath: string, logger: PinoLogger): Promise<void> {
  const livePath = join(dataDir, LIVE_LOG_NAME);
  const liveSize = await stat(livePath).then((info) => info.size, () => 0);
  if (liveSize > 0) return;

  try {
    await ensureDirectory(dataDir, 0o700);
    await copyFile(seedPath, livePath);
    // copyFile keeps the source's mode; the audit log is private to its owner.
    await chmod(livePath, 0o600);
  } catch (error) {
    throw new StartupError(`cannot seed the audit log from ${seedPath}: ${(error as Error).message}`);
  }
  logger.info({ seedPath, livePath }, 'seeded the live audit log');
}

// Stops accepting connections, lets requests in flight finish, then closes the
// log, which writes every queued append before it releases the directory, and
// last exports the OpenTelemetry metrics, which by then include every call.
function waitForShutdown(server: Server, relay: RelayMetrics, otlp: OtlpExport | undefined, logger: PinoLogger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');

      const timer = setTimeout(() => {
        logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; closing open connections');
        server.closeAllConnections();
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();

      server.close(() => {
        void closeAll(relay, otlp, logger).then((exitCode) => {
          logger.info({ exitCode }, 'stopped');
          resolve(exitCode);
        });
      });
      server.closeIdleConnections();
    };

    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

async function closeAll(relay: RelayMetrics, otlp: OtlpExport | undefined, logger: PinoLogger): Promise<number> {
  let exitCode = 0;
  try {
    await relay.close();
  } catch (error) {
    logger.error({ err: error }, 'closing the audit log failed');
    exitCode = 1;
  }

  const flushed = await shutdownOtlp(otlp, logger);
  return flushed ? exitCode : 1;
}

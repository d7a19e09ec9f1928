import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { createMetricsHandler } from '../metrics/metrics-handler.js';
import { PrometheusSink } from '../metrics/prometheus-sink.js';
import { createTailMetrics } from '../metrics/tail-metrics.js';
import { LogTailer } from '../tail/log-tailer.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { listen } from './listen.js';
import { flagOrEnv, logLevelFlag, optionalIntegerFlag, parseCommandArgs, parseTierPrices } from './option-values.js';
import { UsageError } from './usage-error.js';

const DEFAULT_TAIL_PORT = 9478;

const HELP = `Usage: relay-metrics tail FILE [options]

Follows FILE, an NDJSON call log written by another process, and serves its
records as Prometheus metrics, without writing to FILE. Reads FILE from its
start, then follows it across rotation by rename, copy-and-truncate, clearing
and rewrites by rename (delete by job id). A final line without its newline
waits until it is complete.

Options (each also read from the environment variable shown):
  --host HOST             address to listen on (default 127.0.0.1)     RELAY_METRICS_HOST
  --port PORT             TCP port (default ${DEFAULT_TAIL_PORT})                      RELAY_METRICS_PORT
  --state-file PATH       position file: the read position and the     RELAY_METRICS_STATE_FILE
                          metric totals, so a restart continues where
                          it stopped without counting a record twice
  --poll-interval-ms N    milliseconds between checks of FILE          RELAY_METRICS_POLL_INTERVAL_MS
                          (default 250)
  --max-models N          distinct model label values before "other"   RELAY_METRICS_MAX_MODELS
                          (default 50)
  --tier-prices LIST      monthly price per tier in US dollars,        RELAY_METRICS_TIER_PRICES
                          e.g. core=0,pro=12,max=39 (default all 0)
  --log-level LEVEL       pino level: fatal, error, warn, info, debug  RELAY_METRICS_LOG_LEVEL
                          (default info)
  -h, --help              show this help

Endpoints: GET /metrics, GET /healthz.`;

interface TailConfig {
  path: string;
  host: string;
  port: number;
  statePath: string | undefined;
  pollIntervalMs: number | undefined;
  maxModels: number | undefined;
  tierPricesUsd: Record<string, number> | undefined;
  logLevel: string;
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'follow an audit log written by another process and serve /metrics',
  help: HELP,
  async run(args) {
    const config = parseTailArgs(args);
    if (config === undefined) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    return tail(config);
  },
};

const TAIL_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'state-file': { type: 'string' },
  'poll-interval-ms': { type: 'string' },
  'max-models': { type: 'string' },
  'tier-prices': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseTailArgs(args: string[]): TailConfig | undefined {
  const { values, positionals } = parseCommandArgs('tail', args, TAIL_OPTIONS, true);
  if (values.help === true) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(`tail takes exactly one FILE, got ${positionals.length}: relay-metrics tail /var/lib/relay/relay-calls.ndjson`);
  }

  const optionalInteger = (flag: string, envName: string, min: number, max: number) =>
    optionalIntegerFlag(values, flag, envName, min, max);
  const tierPrices = flagOrEnv(values['tier-prices'], 'RELAY_METRICS_TIER_PRICES');
  const logLevel = logLevelFlag(values['log-level']);

  return {
    path: positionals[0]!,
    host: flagOrEnv(values.host, 'RELAY_METRICS_HOST') ?? '127.0.0.1',
    port: optionalInteger('port', 'RELAY_METRICS_PORT', 0, 65535) ?? DEFAULT_TAIL_PORT,
    statePath: flagOrEnv(values['state-file'], 'RELAY_METRICS_STATE_FILE'),
    pollIntervalMs: optionalInteger('poll-interval-ms', 'RELAY_METRICS_POLL_INTERVAL_MS', 10, 3_600_000),
    maxModels: optionalInteger('max-models', 'RELAY_METRICS_MAX_MODELS', 0, 10_000),
    tierPricesUsd: tierPrices === undefined ? undefined : parseTierPrices(tierPrices, '--tier-prices'),
    logLevel,
  };
}

async function tail(config: TailConfig): Promise<number> {
  const logger = pino({ level: config.logLevel, base: { service: 'relay-metrics-tail' } });
  const sink = new PrometheusSink({ maxModels: config.maxModels, tierPricesUsd: config.tierPricesUsd, version: VERSION });
  const tailer = await LogTailer.start({
    path: config.path,
    sink,
    statePath: config.statePath,
    pollIntervalMs: config.pollIntervalMs,
    hooks: createTailMetrics(sink.registry),
    logger,
  });

  const metricsHandler = createMetricsHandler(sink.registry, logger);
  const httpServer = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      void metricsHandler(request, response);
      return;
    }
    response.setHeader('Content-Type', 'application/json');
    if (request.method === 'GET' && path === '/healthz') {
      response.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    response.statusCode = 404;
    response.end(JSON.stringify({ error: { code: 'not_found', message: `no route for ${request.method} ${path}: tail serves GET /metrics and GET /healthz` } }));
  });

  let server: Server;
  try {
    server = await listen({ listen: (port, host) => httpServer.listen(port, host) }, config.host, config.port);
  } catch (error) {
    await tailer.stop();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ host: config.host, port, path: config.path, statePath: config.statePath }, 'relay-metrics tail listening');

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      server.close();
      server.closeAllConnections();
      tailer.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'saving the position file failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

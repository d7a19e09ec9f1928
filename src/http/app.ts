import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../logger.js';
import type { RelayMetrics } from '../relay.js';
import { requireBearerToken } from './auth.js';
import { HttpError, sendError } from './errors.js';
import { createIngestRouter } from './ingest-route.js';
import { createMaintenanceRouter } from './maintenance-routes.js';
import { createReportRouter } from './report-route.js';

export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export interface AppOptions {
  relay: RelayMetrics;
  logger: Logger;
  /** Bearer token required by ingest and destructive routes; none when undefined. */
  token?: string;
  bodyLimitBytes?: number;
  /** Monthly price per tier in US dollars, for the report's revenue estimate. */
  tierPricesUsd?: Partial<Record<string, number>>;
}

/** Builds the service's express app: /metrics, health probes, ingest, maintenance and the report. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const { relay, logger } = options;
  const authenticate = requireBearerToken(options.token);

  app.get('/metrics', relay.metricsHandler);
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    if (await relay.isReady()) {
      response.json({ status: 'ready' });
      return;
    }
    sendError(response, new HttpError('not_ready', 'the audit log cannot be written: check free space and permissions of the data directory'));
  });

  app.use('/v1', authenticate);
  app.use(createIngestRouter(relay, options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));
  app.use(createMaintenanceRouter(relay));
  app.use('/api', authenticate);
  app.use(createReportRouter(relay.auditLog.dataDir, options.tierPricesUsd));

  app.use((request: Request) => {
    throw new HttpError('not_found', `no route for ${request.method} ${request.path}: see the README for the endpoints`);
  });
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const httpError = toHttpError(error, request);
    if (httpError.code === 'internal_error') logger.error({ err: error, path: request.path }, 'request failed');
    if (isAbortedBody(error)) {
      const { received, expected } = error as { received?: number; expected?: number };
      logger.warn({ path: request.path, receivedBytes: received, expectedBytes: expected }, 'client closed the connection before the whole body arrived');
    }
    sendError(response, httpError);
  });
  return app;
}

/** Maps body-parser's errors and unexpected ones to the API's error codes. */
function toHttpError(error: unknown, request: Request): HttpError {
  if (error instanceof HttpError) return error;
  if (isDecompressionError(error, request)) {
    const encoding = request.headers['content-encoding'] ?? '';
    return new HttpError(
      'invalid_encoding',
      `request body does not decompress as Content-Encoding ${JSON.stringify(encoding)} (${(error as Error).message}): compress it with ${encoding}, or send it uncompressed without Content-Encoding`,
    );
  }

  const parserError = error as { type?: string; limit?: number; length?: number; charset?: string };
  switch (parserError.type) {
    case 'entity.too.large': {
      // A compressed body has no known length until it is inflated.
      const size = parserError.length === undefined ? 'decompressed request body' : `request body of ${parserError.length} bytes`;
      return new HttpError('body_too_large', `${size} exceeds the limit of ${parserError.limit} bytes: split it into smaller batches`);
    }
    case 'entity.parse.failed':
      return new HttpError('invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
    case 'request.aborted':
      return new HttpError('invalid_request', 'request body ended early because the client closed the connection: send the whole body');
    case 'request.size.invalid':
      return new HttpError('invalid_request', 'request body length does not match its Content-Length header: send the exact length');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpError('unsupported_media_type', `${(error as Error).message}: send UTF-8 text, uncompressed or compressed with gzip, deflate or br`);
    default:
      return new HttpError('internal_error', 'internal error; see the service log');
  }
}

// body-parser passes zlib's own error on as a 400 without a `type`, so a body
// that fails to decompress is recognized by that status and the request's
// Content-Encoding.
function isDecompressionError(error: unknown, request: Request): boolean {
  const { type, status } = error as { type?: unknown; status?: unknown };
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  return type === undefined && status === 400 && encoding !== 'identity';
}

function isAbortedBody(error: unknown): boolean {
  return (error as { type?: unknown }).type === 'request.aborted';
}

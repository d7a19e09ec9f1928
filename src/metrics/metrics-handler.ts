import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

const gzipAsync = promisify(gzip);

/**
 * Creates a handler that serves `registry` in the Prometheus text format. It
 * fits `http.createServer` and express alike. A failed collection returns 500,
 * never a 200 with an error text, so Prometheus marks the scrape as failed.
 */
export function createMetricsHandler(
  registry: Registry,
  logger: Logger,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    let body: string;
    try {
      body = await registry.metrics();
    } catch (error) {
      logger.error({ err: error }, 'metrics collection failed');
      response.statusCode = 500;
      response.setHeader('Content-Type', 'text/plain; charset=utf-8');
      response.end('metrics collection failed; see the exporter log\n');
      return;
    }

    response.setHeader('Content-Type', registry.contentType);
    response.setHeader('Vary', 'Accept-Encoding');
    if (!acceptsGzip(request)) {
      response.end(body);
      return;
    }

    response.setHeader('Content-Encoding', 'gzip');
    response.end(await gzipAsync(body));
  };
}

function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  return typeof header === 'string' && /\bgzip\b/i.test(header);
}

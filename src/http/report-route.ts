import express, { type Request, type Response, type Router } from 'express';
import { createReport } from '../report/stream-report.js';
import { parseTimeRange, TimeBoundError, type TimeRange } from '../report/time-range.js';
import { HttpError } from './errors.js';

/**
 * Creates the router for `GET /api/report?since=…&until=…`: the streaming
 * report over the live log and archives of `dataDir`, as JSON. `since`
 * defaults to 30 days ago and `until` to now.
 */
export function createReportRouter(dataDir: string, tierPricesUsd: Partial<Record<string, number>> | undefined): Router {
  const router = express.Router();

  router.get('/api/report', async (request: Request, response: Response) => {
    const range = readRange(request);
    const report = await createReport({ dataDir, ...range, tierPricesUsd });
    response.status(200).json(report);
  });

  return router;
}

function readRange(request: Request): TimeRange {
  const since = readQueryValue(request, 'since');
  const until = readQueryValue(request, 'until');

  try {
    return parseTimeRange(since, until, Date.now());
  } catch (error) {
    if (error instanceof TimeBoundError || error instanceof RangeError) throw new HttpError('invalid_request', error.message);
    throw error;
  }
}

function readQueryValue(request: Request, name: string): string | undefined {
  const value: unknown = request.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new HttpError('invalid_request', `query parameter "${name}" is given more than once or as an object: pass it once, e.g. ?${name}=7d`);
}

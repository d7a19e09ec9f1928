import express, { type Request, type Response, type Router } from 'express';
import type { RelayMetrics } from '../relay.js';
import { HttpError } from './errors.js';
import { JSON_TYPES, NDJSON_TYPES, parseIngestBody, type IngestItem } from './ingest-body.js';

/** Rejections listed in one response; a larger count is reported, not listed. */
const MAX_LISTED_REJECTIONS = 100;

interface Rejection {
  line: number;
  code: 'invalid_json' | 'invalid_record' | 'append_failed';
  message: string;
}

/** Creates the router for `POST /v1/calls`: one JSON object, a JSON array, or an NDJSON body. */
export function createIngestRouter(relay: RelayMetrics, bodyLimitBytes: number): Router {
  const router = express.Router();
  const readText = express.text({ type: [...JSON_TYPES, ...NDJSON_TYPES], limit: bodyLimitBytes });

  router.post('/v1/calls', readText, async (request: Request, response: Response) => {
    const isNdjson = request.is(NDJSON_TYPES) !== false;
    if (typeof request.body !== 'string') throw unsupportedMediaType(request);

    const items = parseIngestBody(request.body, isNdjson);
    const results = await Promise.all(items.map((item) => recordItem(relay, item)));
    const rejections = results.filter((result): result is Rejection => result !== undefined);
    const accepted = items.length - rejections.length;

    if (rejections.some((rejection) => rejection.code === 'append_failed')) {
      throw new HttpError('append_failed', 'the audit log could not be written; records listed in "rejections" were not stored, retry them', summarize(accepted, rejections));
    }
    if (accepted === 0) {
      throw new HttpError('invalid_records', 'no record in the body was accepted; see "rejections" for each line', summarize(accepted, rejections));
    }
    response.status(200).json(summarize(accepted, rejections));
  });

  return router;
}

async function recordItem(relay: RelayMetrics, item: IngestItem): Promise<Rejection | undefined> {
  if ('error' in item) return { line: item.line, code: 'invalid_json', message: item.error };

  const result = await relay.recordCall(item.value);
  if (result.ok) return undefined;
  const code = result.code === 'invalid_record' ? 'invalid_record' : 'append_failed';
  return { line: item.line, code, message: result.message };
}

function summarize(accepted: number, rejections: Rejection[]): object {
  return {
    accepted,
    rejected: rejections.length,
    rejections: rejections.slice(0, MAX_LISTED_REJECTIONS),
    ...(rejections.length > MAX_LISTED_REJECTIONS ? { rejections_truncated: true } : {}),
  };
}

function unsupportedMediaType(request: Request): HttpError {
  const contentType = request.headers['content-type'] ?? '(none)';
  return new HttpError(
    'unsupported_media_type',
    `Content-Type ${JSON.stringify(contentType)} is not accepted: use application/json for an object or array, or application/x-ndjson for one record per line`,
  );
}

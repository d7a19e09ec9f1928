import express, { type Request, type Response, type Router } from 'express';
import type { RelayMetrics } from '../relay.js';
import { HttpError } from './errors.js';

const MAX_JOB_IDS = 10_000;

/**
 * Creates the destructive routes: `POST /v1/calls/delete` with
 * `{"job_ids": [...]}` and `POST /v1/calls/clear`. Both rewrite the live log
 * between appends; metric counters keep their values, because a counter that
 * went down would read as a reset to Prometheus.
 */
export function createMaintenanceRouter(relay: RelayMetrics): Router {
  const router = express.Router();
  // Not strict, so a body such as `null` reaches readJobIds and gets its
  // invalid_request message instead of a false "not valid JSON".
  const readJson = express.json({ limit: '1mb', type: () => true, strict: false });

  router.post('/v1/calls/delete', readJson, async (request: Request, response: Response) => {
    const jobIds = readJobIds(request.body);
    const { deleted } = await relay.auditLog.deleteByJobIds(jobIds);
    response.status(200).json({ deleted });
  });

  router.post('/v1/calls/clear', async (_request: Request, response: Response) => {
    await relay.auditLog.clearAll();
    response.status(200).json({ ok: true });
  });

  return router;
}

function readJobIds(body: unknown): string[] {
  const usage = 'send {"job_ids": ["<job id>", ...]} with Content-Type: application/json';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError('invalid_request', `request body must be a JSON object, got ${previewJson(body)}: ${usage}`);
  }

  const jobIds = (body as { job_ids?: unknown }).job_ids;
  if (!Array.isArray(jobIds)) {
    throw new HttpError('invalid_request', `"job_ids" must be an array of strings, got ${previewJson(jobIds)}: ${usage}`);
  }
  if (jobIds.length > MAX_JOB_IDS) {
    throw new HttpError('invalid_request', `"job_ids" contains ${jobIds.length} ids, more than ${MAX_JOB_IDS}: split the request`);
  }
  const invalid = jobIds.findIndex((id) => typeof id !== 'string' || id === '');
  if (invalid !== -1) {
    throw new HttpError('invalid_request', `"job_ids"[${invalid}] is ${JSON.stringify(jobIds[invalid])}, not a non-empty string: ${usage}`);
  }
  return jobIds as string[];
}

// Shows a client's value in a message, cut short so a huge body stays out of it.
function previewJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'nothing';
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

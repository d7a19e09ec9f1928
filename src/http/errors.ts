import type { Response } from 'express';

/**
 * Every error code the HTTP API returns. Codes are stable: clients may branch
 * on them, so a code is never renamed or reused for another meaning.
 */
export const HTTP_ERRORS = {
  invalid_json: 400,
  empty_body: 400,
  invalid_records: 400,
  invalid_request: 400,
  invalid_encoding: 400,
  unauthorized: 401,
  not_found: 404,
  request_timeout: 408,
  body_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  append_failed: 503,
  not_ready: 503,
  internal_error: 500,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** An error a route raises to respond with its code's status and a JSON body. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly details?: object,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  get status(): number {
    return HTTP_ERRORS[this.code];
  }
}

export function sendError(response: Response, error: HttpError): void {
  response.status(error.status).json({ error: { code: error.code, message: error.message, ...error.details } });
}

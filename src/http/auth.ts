import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors.js';

/**
 * Creates middleware that requires `Authorization: Bearer <token>`, or lets
 * every request through when no token is configured. Tokens are compared as
 * hashes in constant time, so timing reveals neither content nor length.
 */
export function requireBearerToken(token: string | undefined) {
  if (token === undefined) return (_request: Request, _response: Response, next: NextFunction) => next();
  const expected = digest(token);

  return (request: Request, _response: Response, next: NextFunction) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match === null) {
      next(new HttpError('unauthorized', 'missing bearer token: send the header "Authorization: Bearer <token>"'));
      return;
    }
    if (!timingSafeEqual(digest(match[1]!.trim()), expected)) {
      next(new HttpError('unauthorized', 'invalid bearer token: use the token the service was started with (--token)'));
      return;
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

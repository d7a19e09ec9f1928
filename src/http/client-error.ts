import { maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { HTTP_ERRORS, type HttpErrorCode } from './errors.js';

/**
 * Makes the server respond to requests that Node's HTTP parser rejects (malformed
 * request lines, oversized headers, timed-out requests) with the API's JSON
 * error body. Node's own response has a status line and no body.
 */
export function sendClientErrorsAsJson(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    logger.warn({ code: error.code, err: error }, 'rejected a malformed HTTP request');
    if (!socket.writable) {
      socket.destroy();
      return;
    }

    const { code, message } = describeClientError(error.code);
    const body = JSON.stringify({ error: { code, message } });
    const status = HTTP_ERRORS[code];
    socket.end(
      `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function describeClientError(nodeCode: string | undefined): { code: HttpErrorCode; message: string } {
  if (nodeCode === 'HPE_HEADER_OVERFLOW') {
    return { code: 'headers_too_large', message: `request headers exceed ${maxHeaderSize} bytes: send fewer or shorter headers` };
  }
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { code: 'request_timeout', message: 'the request was not received in time: send headers and body without pauses and retry' };
  }
  return { code: 'invalid_request', message: `malformed HTTP request (${nodeCode ?? 'unknown parser error'}): send a valid HTTP/1.1 request` };
}

function statusText(status: number): string {
  if (status === 431) return 'Request Header Fields Too Large';
  if (status === 408) return 'Request Timeout';
  return 'Bad Request';
}

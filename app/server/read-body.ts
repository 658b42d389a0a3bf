import type { IncomingMessage } from 'node:http';
import type { BodyReservation } from './body-budget';

/** The body was larger than allowed; raised as soon as the limit is crossed. */
export class BodyTooLargeError extends Error {
  readonly code = 'body_too_large';
  constructor(readonly maxBytes: number) {
    super(`The request body is larger than ${maxBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client went away (or sent a broken body) before the body was complete. */
export class BodyAbortedError extends Error {
  readonly code = 'body_aborted';
  constructor() {
    super('The request body was not received completely.');
    this.name = 'BodyAbortedError';
  }
}

/** The server already holds as many request-body bytes as it may; raised before the body (or the chunk) is kept. */
export class BodyBudgetExceededError extends Error {
  readonly code = 'server_busy';
  constructor() {
    super('The server is busy receiving other uploads.');
    this.name = 'BodyBudgetExceededError';
  }
}

/**
 * Reads a request body, counting bytes as they arrive and stopping at `maxBytes` (so a huge
 * body is refused long before it is all in memory); a declared `Content-Length` over the limit
 * fails before any read. Memory follows the bytes actually received, never the declared length,
 * so idle connections announcing 64 MiB cost nothing.
 *
 * With a `reservation`, the bytes are reserved in the server's shared body budget before they
 * are kept: a declared length all at once, before any read (so a refusal reads nothing), a
 * chunked body chunk by chunk. The caller releases the reservation when the request is over.
 * On failure the request stream is left paused: the caller answers, then closes the connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number, reservation?: BodyReservation): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  if (length !== undefined && reservation && !reservation.take(length)) return Promise.reject(new BodyBudgetExceededError());

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;

    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (error) {
        req.pause();
        reject(error);
        return;
      }
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (length ?? maxBytes)) {
        // More than declared is a broken request; more than allowed is too large.
        finish(received + chunk.length > maxBytes ? new BodyTooLargeError(maxBytes) : new BodyAbortedError());
        return;
      }
      if (length === undefined && reservation && !reservation.take(chunk.length)) {
        finish(new BodyBudgetExceededError());
        return;
      }
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => finish(length !== undefined && received !== length ? new BodyAbortedError() : undefined);
    const onError = () => finish(new BodyAbortedError());
    const onClose = () => finish(new BodyAbortedError());

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

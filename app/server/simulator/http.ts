import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers, before faults get a say. */
export interface Reply {
  status: number;
  /** A JSON body; or `bytes` with `contentType`. */
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, json: body, ...(headers ? { headers } : {}) });

/** Marks every answer, so a proxy or a UI can tell simulated responses apart. */
export const SIMULATOR_HEADER = 'x-runcomfy-simulator';

export class BodyTooLargeError extends Error {
  readonly code = 'body-too-large';
  constructor(readonly limit: number) {
    super(`The request body exceeds ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** The whole request body, refusing (and stopping to read) past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  const body = reply.bytes ?? Buffer.from(reply.json === undefined ? '' : JSON.stringify(reply.json));
  res.writeHead(reply.status, {
    'content-type': reply.bytes ? (reply.contentType ?? 'application/octet-stream') : 'application/json',
    'content-length': String(body.length),
    [SIMULATOR_HEADER]: 'true',
    ...reply.headers,
  });
  res.end(body);
}

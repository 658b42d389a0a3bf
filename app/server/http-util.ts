import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Content-Security-Policy of every response. React Flow positions nodes with inline `style`
 * attributes, hence `style-src 'unsafe-inline'`; scripts only from our own origin (Vite emits no
 * inline script); images also from `blob:`/`data:` because the editor shows stored bytes via
 * object URLs; fonts also from `data:` because Vite inlines small assets as data URIs; every
 * network call goes to our own origin (`/api/...`) — `blob:`/`data:` in connect-src only let the
 * editor turn its own in-memory images into bytes (`fetch(dataUrl)`), they reach no server.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self' data:",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Headers set on every response, whatever route answers. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/**
 * The error body of every refusal made by this server (not by RunComfy). The keys follow
 * RunComfy's own (`error_code`, `error_message`), so one client parses both; the codes are
 * strings prefixed `proxy_` so they never collide with RunComfy's numeric codes.
 */
export interface ErrorBody {
  error_code: string;
  error_message: string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body: ErrorBody = { error_code: `proxy_${code}`, error_message: message };
  sendJson(res, status, body, headers);
}

/** The path part of a request target, still percent-encoded, exactly as the client sent it. */
export function rawPathOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

/** The query part of a request target (without `?`), or '' when there is none. */
export function rawQueryOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? '' : target.slice(q + 1);
}

/** Replaces every occurrence of `secret` in `text`; a no-op without a secret. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** `Bearer <credential>` (RFC 6750 token68 characters), whoever's credential it is. */
const BEARER_CREDENTIAL = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;

/**
 * `text` with `secret` and every `Bearer …` credential replaced. Always redact the whole text
 * and only then {@link clip} it: cutting first can leave half a secret that no longer matches.
 */
export function redactCredentials(text: string, secret: string | undefined): string {
  return redact(text, secret).replace(BEARER_CREDENTIAL, 'Bearer [redacted]');
}

/** At most `maxChars` characters of `text`, marked with an ellipsis when cut. */
export function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

/**
 * Answers a refusal and makes sure the rest of an unwanted body is never read: the connection
 * closes once the answer is out, so a 65 MiB upload stops at the first refusal.
 */
export function refuseAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  const pending = hasBody && !req.readableEnded;
  sendError(res, status, code, message, pending ? { ...headers, Connection: 'close' } : headers);
  if (pending) {
    req.pause();
    res.once('finish', () => req.socket.destroySoon());
  } else {
    req.resume();
  }
}

import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Why a request was refused before any route ran. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

export interface RequestGuardOptions {
  /** The port the server listens on (the real one, after `listen`). */
  port: number;
  /** The host the server was bound to (e.g. 127.0.0.1 or 0.0.0.0). */
  boundHost: string;
  /** Extra host names accepted in the `Host` header. */
  allowedHosts?: readonly string[];
}

const ALWAYS_ALLOWED_NAMES = new Set(['localhost']);
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The checks every request passes before routing.
 *
 * - `Host` must name this server: an IP literal, `localhost`, the bound host or an allowed name.
 *   This defeats DNS rebinding (a hostile site's domain re-pointed at 127.0.0.1 would otherwise
 *   be "same origin" with the token-holding proxy); IP literals cannot be rebound.
 * - On `/api/*`, an `Origin` header, when present, must be this server's own origin (so a page on
 *   another site, or a sandboxed `Origin: null` document, cannot drive the proxy), and a
 *   `Sec-Fetch-Site` header, when present, must not say `cross-site`/`same-site` (this also
 *   covers requests browsers send without an Origin, like `<img src>`).
 */
export class RequestGuard {
  private readonly names: Set<string>;

  constructor(private readonly options: RequestGuardOptions) {
    const bound = options.boundHost.toLowerCase();
    this.names = new Set([...ALWAYS_ALLOWED_NAMES, ...(options.allowedHosts ?? []).map((h) => h.toLowerCase())]);
    if (!WILDCARD_HOSTS.has(bound)) this.names.add(bound);
  }

  /** This server's origin as the client addressed it, or a refusal when `Host` is not ours. */
  checkHost(req: IncomingMessage): { origin: string } | { refusal: Refusal } {
    const refuse = { refusal: { status: 403, code: 'host_not_allowed', message: 'This server does not answer to that Host name.' } };
    const host = req.headers.host;
    if (!host || !/^[A-Za-z0-9.\-[\]:]+$/.test(host)) return refuse;
    let url: URL;
    try {
      url = new URL(`http://${host}`);
    } catch {
      return refuse;
    }
    const port = url.port === '' ? 80 : Number(url.port);
    if (port !== this.options.port) return refuse;
    const name = url.hostname.toLowerCase();
    const bare = name.startsWith('[') ? name.slice(1, -1) : name;
    if (isIP(bare) === 0 && !this.names.has(name)) return refuse;
    return { origin: url.origin };
  }

  /** A refusal when a browser says this API request comes from another site. */
  checkApiCaller(req: IncomingMessage, ownOrigin: string): Refusal | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let same: boolean;
      try {
        same = origin !== 'null' && new URL(origin).origin === ownOrigin;
      } catch {
        same = false;
      }
      if (!same) return { status: 403, code: 'origin_not_allowed', message: 'Requests from other origins are refused.' };
    }
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      return { status: 403, code: 'origin_not_allowed', message: 'Requests from other sites are refused.' };
    }
    return undefined;
  }
}

import { z } from 'zod';
import { DEFAULT_BASE_URL, isLoopbackHost } from '../api/runcomfy/client';

/** RunComfy's Model API, used when `RUNCOMFY_BASE_URL` is not set (the client's default). */
export const DEFAULT_RUNCOMFY_BASE_URL = DEFAULT_BASE_URL;
export const DEFAULT_PORT = 8188;
export const DEFAULT_HOST = '127.0.0.1';

/** What `npm start` needs from the environment, validated. */
export interface ServerConfig {
  /** RunComfy API token; undefined means "use the built-in simulator". Never log this. */
  readonly token: string | undefined;
  /** Upstream Model API base, no trailing slash (e.g. `https://model-api.runcomfy.net/v1`). */
  readonly baseUrl: string;
  readonly port: number;
  readonly host: string;
  /** Extra host names the server answers to (besides loopback names and IP literals). */
  readonly allowedHosts: readonly string[];
}

/** Thrown when the environment is invalid; `issues` are one line each, for people to read. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid server configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** An empty or blank variable counts as unset, as shells make `X= npm start` easy to type. */
const unsetIfBlank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const zToken = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .trim()
    // The token goes into an HTTP header: whitespace or control characters would corrupt it.
    // The messages never quote the value.
    .regex(/^[\x21-\x7e]+$/, 'RUNCOMFY_API_TOKEN must be printable ASCII without spaces (value not shown)')
    .min(8, 'RUNCOMFY_API_TOKEN looks too short to be a RunComfy token (value not shown)')
    .optional(),
);

const zBaseUrl = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .trim()
    .default(DEFAULT_RUNCOMFY_BASE_URL)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `RUNCOMFY_BASE_URL is not a URL: "${value}"` });
        return;
      }
      // Plain http would send the bearer token in clear text; only a local fake may use it.
      const local = isLoopbackHost(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
        ctx.addIssue({ code: 'custom', message: `RUNCOMFY_BASE_URL must be https:// (http:// only for localhost), got "${value}"` });
      }
      if (url.username || url.password || url.search || url.hash) {
        ctx.addIssue({ code: 'custom', message: 'RUNCOMFY_BASE_URL must not contain credentials, a query or a fragment' });
      }
    })
    .transform((value) => value.replace(/\/+$/, '')),
);

const zPort = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .default(String(DEFAULT_PORT))
    .refine((s) => /^\d{1,5}$/.test(s) && Number(s) <= 65535, { error: (i) => `PORT must be an integer from 0 to 65535, got "${String(i.input)}"` })
    .transform(Number),
);

const zHost = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .trim()
    .default(DEFAULT_HOST)
    .refine((s) => /^[A-Za-z0-9.:_-]+$/.test(s) || /^\[[0-9A-Fa-f:.]+\]$/.test(s), {
      error: (i) => `HOST must be a host name or an IP address (e.g. 127.0.0.1 or 0.0.0.0), got "${String(i.input)}"`,
    }),
);

const zAllowedHosts = z.preprocess(
  unsetIfBlank,
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((hosts) => hosts.every((h) => /^[a-z0-9.-]+$/.test(h)), 'ALLOWED_HOSTS must be a comma-separated list of host names'),
);

const zEnv = z.object({
  RUNCOMFY_API_TOKEN: zToken,
  RUNCOMFY_BASE_URL: zBaseUrl,
  PORT: zPort,
  HOST: zHost,
  ALLOWED_HOSTS: zAllowedHosts,
});

/**
 * Reads the server configuration from environment variables:
 * `RUNCOMFY_API_TOKEN` (optional; absent → simulator), `RUNCOMFY_BASE_URL`
 * (default {@link DEFAULT_RUNCOMFY_BASE_URL}), `PORT` (default 8188), `HOST` (default 127.0.0.1),
 * `ALLOWED_HOSTS` (optional, comma-separated extra host names for `HOST=0.0.0.0` setups).
 * Throws {@link ConfigError} listing every problem; messages never contain the token.
 */
export function loadServerConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const parsed = zEnv.safeParse({
    RUNCOMFY_API_TOKEN: env.RUNCOMFY_API_TOKEN,
    RUNCOMFY_BASE_URL: env.RUNCOMFY_BASE_URL,
    PORT: env.PORT,
    HOST: env.HOST,
    ALLOWED_HOSTS: env.ALLOWED_HOSTS,
  });
  if (!parsed.success) {
    // zod's default messages may echo the input; never let that happen for the token.
    const token = typeof env.RUNCOMFY_API_TOKEN === 'string' ? env.RUNCOMFY_API_TOKEN.trim() : '';
    const issues = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      const m = i.message.startsWith(name) ? i.message : `${name}: ${i.message}`;
      return token ? m.split(token).join('[redacted]') : m;
    });
    throw new ConfigError(issues);
  }
  const e = parsed.data;
  return { token: e.RUNCOMFY_API_TOKEN, baseUrl: e.RUNCOMFY_BASE_URL, port: e.PORT, host: e.HOST, allowedHosts: e.ALLOWED_HOSTS };
}

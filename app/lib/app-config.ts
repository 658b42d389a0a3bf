import { z } from 'zod';

/**
 * What the editor's own server tells the browser about itself (`GET /api/config`), shared by
 * the server (app/server/http-server.ts) and the browser. Holds no secret, ever.
 */

/** Path of the configuration endpoint. */
export const APP_CONFIG_PATH = '/api/config';
/** Base URL the browser's Model API client uses: the server proxies it to RunComfy. */
export const API_PROXY_BASE = '/api/v1';
/** Path of the image download route: `GET /api/assets?url=<encoded https URL>`. */
export const ASSET_PROXY_PATH = '/api/assets';
/** The banner text shown on every screen while the server uses its built-in simulator. */
export const SIMULATOR_BANNER = 'Simulator — outputs are placeholders, not Seedream';

export const zAppConfig = z.object({
  /** `simulator`: no token configured, outputs are placeholders; `runcomfy`: the real service. */
  mode: z.enum(['simulator', 'runcomfy']),
  /** The one model the proxy forwards submits for. */
  modelId: z.string(),
  /** Same as {@link API_PROXY_BASE}; given so the browser need not hard-code it. */
  apiBase: z.string(),
  /** Same as {@link ASSET_PROXY_PATH}. */
  assetProxy: z.string(),
  /** Largest request body the proxy accepts, in bytes. */
  maxRequestBodyBytes: z.number().int().positive(),
  /** Text of the always-visible banner, or null when none is needed. */
  banner: z.string().nullable(),
  /**
   * Who answers behind the proxy: `runcomfy:<base URL>`, or `simulator:<instance>` (a new
   * instance per server start). Paid-job records and cached results are kept per upstream, so a
   * simulator's placeholders never stand in for Seedream's images, nor its request ids for RunComfy's.
   */
  upstream: z.string().min(1).max(300).optional(),
});
export type AppConfig = z.infer<typeof zAppConfig>;

/** The same-origin URL through which the browser downloads a result image. */
export function assetProxyUrl(imageUrl: string): string {
  return `${ASSET_PROXY_PATH}?url=${encodeURIComponent(imageUrl)}`;
}

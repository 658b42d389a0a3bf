import { randomBytes } from 'node:crypto';
import type { ServerConfig } from './config';
import { createAppServer } from './http-server';
import { startSimulator, type SimulatorOptions } from './simulator';

/**
 * Latency and frame size of the simulator behind `npm start`: a job takes a few seconds (≈2.5 s
 * for three frames) so the editor's progress is visible without being tedious, and frames are a
 * quarter of the requested resolution (512 px for the 2048² default) so they render and
 * transfer fast. Tests and the standalone simulator choose their own.
 */
export const STUDIO_SIMULATOR_SETTINGS = { timeScale: 0.5, outputScale: 0.25 } satisfies SimulatorOptions;

export interface Studio {
  readonly url: string;
  readonly mode: 'simulator' | 'runcomfy';
  /** Where `/api/v1` goes: RunComfy's base URL or the in-process simulator's. */
  readonly upstreamBaseUrl: string;
  close(): Promise<void>;
}

/**
 * The whole `npm start` server from a validated configuration: with a token, the proxy talks to
 * RunComfy; without one, an in-process simulator is started on a free loopback port and used
 * instead (guarded by a random per-process token, so only this server drives it).
 */
export async function startStudio(
  config: ServerConfig,
  options: { distDir: string; log?: (line: string) => void; simulator?: SimulatorOptions },
): Promise<Studio> {
  if (config.token) {
    const server = await createAppServer({
      distDir: options.distDir,
      upstreamBaseUrl: config.baseUrl,
      token: config.token,
      host: config.host,
      port: config.port,
      allowedHosts: config.allowedHosts,
      ...(options.log ? { log: options.log } : {}),
    });
    return { url: server.url, mode: 'runcomfy', upstreamBaseUrl: config.baseUrl, close: () => server.close() };
  }

  const internalToken = randomBytes(24).toString('base64url');
  const sim = await startSimulator({
    ...STUDIO_SIMULATOR_SETTINGS,
    controlRoutes: false,
    ...options.simulator,
    host: '127.0.0.1',
    port: 0,
    token: internalToken,
  });
  try {
    const server = await createAppServer({
      distDir: options.distDir,
      upstreamBaseUrl: sim.baseUrl,
      token: internalToken,
      simulator: { url: sim.url },
      host: config.host,
      port: config.port,
      allowedHosts: config.allowedHosts,
      ...(options.log ? { log: options.log } : {}),
    });
    return {
      url: server.url,
      mode: 'simulator',
      upstreamBaseUrl: sim.baseUrl,
      close: async () => {
        await server.close();
        await sim.close();
      },
    };
  } catch (e) {
    await sim.close();
    throw e;
  }
}

/**
 * `npm start` (via app/server/start.mjs, which builds first): the editor and its API on
 * HOST:PORT (default 127.0.0.1:8188). RunComfy when RUNCOMFY_API_TOKEN is set, else the
 * built-in simulator. Configuration: see app/server/config.ts.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadServerConfig, type ServerConfig } from './config';
import { startStudio } from './start-studio';

const DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist');

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadServerConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }

  const studio = await startStudio(config, { distDir: DIST_DIR }).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') console.error(`Port ${config.port} on ${config.host} is already in use: stop the other server or set PORT=<another port>.`);
    else if (code === 'EACCES') console.error(`Not allowed to listen on ${config.host}:${config.port}: pick another PORT (above 1024).`);
    else console.error(`Cannot start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });

  console.log(`Sequence Studio on ${studio.url}`);
  if (studio.mode === 'simulator') {
    console.log('  mode: SIMULATOR — outputs are placeholders, not Seedream (set RUNCOMFY_API_TOKEN to use RunComfy)');
  } else {
    console.log(`  mode: RunComfy Model API at ${studio.upstreamBaseUrl} (token set)`);
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    studio.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});

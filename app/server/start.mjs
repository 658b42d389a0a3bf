#!/usr/bin/env node
/**
 * `npm start`: builds the editor when dist/ is missing or older than its sources, then runs the
 * server (app/server/main.ts) in this same process through tsx's loader.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const builtIndex = join(root, 'dist', 'index.html');

/** What ends up in the browser bundle. app/server is Node-only, so editing it needs no rebuild. */
const SOURCES = ['index.html', 'vite.config.ts', 'package.json', 'public', 'app', 'nodes'];
const NOT_BUNDLED = new Set([join(root, 'app', 'server')]);

function newestMtime(path) {
  if (NOT_BUNDLED.has(path) || !existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function needsBuild() {
  if (!existsSync(builtIndex)) return 'dist/ is missing';
  const built = statSync(builtIndex).mtimeMs;
  const newest = Math.max(...SOURCES.map((p) => newestMtime(join(root, p))));
  return newest > built ? 'sources changed since the last build' : undefined;
}

const reason = needsBuild();
if (reason) {
  if (!existsSync(join(root, 'index.html'))) {
    console.error('Cannot build the editor: index.html is missing at the project root.');
    process.exit(1);
  }
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    console.error('Vite is not installed: run `npm ci` first.');
    process.exit(1);
  }
  console.log(`Building the editor (${reason})…`);
  // The build never needs the token; keep it out of the build's environment entirely.
  const env = { ...process.env };
  delete env.RUNCOMFY_API_TOKEN;
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error('The build failed; not starting the server.');
    process.exit(result.status ?? 1);
  }
}

const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(join(root, 'app', 'server', 'main.ts')).href);

/**
 * The built editor for browser tests and benchmarks, built at most once per change of its sources.
 *
 * `dist/` is used as is when it is newer than every bundled source (the rule `npm start` applies,
 * see app/server/start.mjs). Otherwise one process builds into
 * `node_modules/.cache/sequence-studio-e2e/build-…` while the others (parallel test files,
 * another test run) wait on a lock and then use that build. Builds are never written over:
 * a run still serving an older build keeps its files; builds older than an hour are removed.
 * Vitest-free, so the benchmarks use it too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const CACHE = join(ROOT, 'node_modules', '.cache', 'sequence-studio-e2e');
const LATEST = join(CACHE, 'latest.json');
const LOCK = join(CACHE, 'build.lock');

/** What ends up in the browser bundle (as in app/server/start.mjs): app/server is Node-only. */
const SOURCES = ['index.html', 'vite.config.ts', 'package.json', 'public', 'app', 'nodes'];
const NOT_BUNDLED = new Set([join(ROOT, 'app', 'server')]);
const LOCK_STALE_MS = 120_000;
const OLD_BUILD_MS = 3600_000;

function newestSourceMtime(path: string = ROOT, top = true): number {
  if (top) return Math.max(...SOURCES.map((p) => newestSourceMtime(join(ROOT, p), false)));
  if (NOT_BUNDLED.has(path) || !existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestSourceMtime(join(path, name), false));
  return newest;
}

/** A build is fresh when no bundled source changed after its build started. */
async function freshBuild(sourcesNewest: number): Promise<string | undefined> {
  const dist = join(ROOT, 'dist', 'index.html');
  if (existsSync(dist) && statSync(dist).mtimeMs > sourcesNewest) return join(ROOT, 'dist');
  try {
    const latest = JSON.parse(await readFile(LATEST, 'utf8')) as { dir: string; sourcesNewest: number; root?: string };
    // A checkout that shares node_modules (a git worktree with a symlink) records its builds here too: only ours count.
    if (latest.root === ROOT && latest.sourcesNewest >= sourcesNewest && existsSync(join(latest.dir, 'index.html'))) return latest.dir;
  } catch {
    // No build recorded yet.
  }
  return undefined;
}

function viteBuild(outDir: string): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  // A production bundle (Vitest sets NODE_ENV=test, which would ship React's development build).
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.RUNCOMFY_API_TOKEN;
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveBuild() : reject(new Error(`vite build failed (exit ${code}):\n${stderr}`))));
  });
}

async function takeLock(): Promise<boolean> {
  try {
    await mkdir(LOCK);
    return true;
  } catch {
    // Held by another process; a crashed builder's lock is broken after a while.
    const held = await stat(LOCK).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(LOCK, { recursive: true, force: true });
    return false;
  }
}

async function pruneOldBuilds(keep: string): Promise<void> {
  for (const name of readdirSync(CACHE)) {
    const dir = join(CACHE, name);
    if (!name.startsWith('build-') || dir === keep) continue;
    const s = await stat(dir).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > OLD_BUILD_MS) await rm(dir, { recursive: true, force: true });
  }
}

/** The folder of a built editor that matches the current sources (building it if needed). */
export async function ensureStudioBuild(timeoutMs = 90_000): Promise<string> {
  await mkdir(CACHE, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sourcesNewest = newestSourceMtime();
    const fresh = await freshBuild(sourcesNewest);
    if (fresh) return fresh;
    if (await takeLock()) {
      try {
        // Someone may have finished a build between our check and the lock.
        const again = await freshBuild(sourcesNewest);
        if (again) return again;
        const dir = join(CACHE, `build-${Date.now()}-${process.pid}`);
        const partial = `${dir}.partial`;
        await viteBuild(partial);
        await rename(partial, dir);
        await writeFile(`${LATEST}.${process.pid}`, JSON.stringify({ dir, sourcesNewest, root: ROOT }));
        await rename(`${LATEST}.${process.pid}`, LATEST);
        await pruneOldBuilds(dir);
        return dir;
      } finally {
        await rm(LOCK, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another process to build the editor (lock ${LOCK}).`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

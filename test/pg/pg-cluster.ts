import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startWatchdog } from './pg-watchdog';

/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a fresh cluster in a
 * temporary directory, owned by an unprivileged user (initdb refuses root: as root the cluster
 * belongs to the `postgres` system user the Debian package creates), listening on 127.0.0.1 on a
 * free port with its socket inside the directory, trust auth, durability off for speed. Never the
 * package's default cluster. Each test file starts one in `beforeAll` and stops it in `afterAll`.
 */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth: no password). */
  url: string;
  port: number;
  database: string;
  /** The temporary directory: `data/` (the cluster), `sock/`, `server.log`. */
  dir: string;
  dataDir: string;
  /** The postmaster's pid (tests check it is gone after `stop`). */
  pid: number;
  /** Wall ms spent: initdb, server start, database creation, and in all. */
  timings: { initdbMs: number; startMs: number; createDbMs: number; totalMs: number };
  /** Stops the server (immediate mode) and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  database?: string;
  /** Bound on each step (initdb, start, stop), default 60 s. */
  timeoutMs?: number;
}

const PG_ROOT = '/usr/lib/postgresql';
const TOOLS = ['initdb', 'pg_ctl', 'postgres'];

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb, pg_ctl and postgres (or `$PG_BIN`). */
export function findPgBin(): string | undefined {
  const usable = (bin: string) =>
    TOOLS.every((t) => {
      try {
        accessSync(join(bin, t), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (process.env.PG_BIN) return usable(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  let versions: string[];
  try {
    versions = readdirSync(PG_ROOT);
  } catch {
    return undefined;
  }
  const byVersion = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(PG_ROOT, v, 'bin'));
  return byVersion.find(usable);
}

/** The account the cluster runs as: ourselves, or `postgres` when we are root. */
function clusterUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    throw new Error(
      "Running as root, the test PostgreSQL must run as the `postgres` system user (initdb refuses root), and there is none. Install Debian's package (`apt-get install -y postgresql`) or run the tests as a normal user.",
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** Our environment without PG* variables, which would point the tools at another server. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('LC_') && k !== 'LANG' && k !== 'TZ') env[k] = v;
  return env;
}

function run(file: string, args: string[], as: { uid: number; gid: number } | undefined, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: cleanEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', cwd: '/', ...(as ?? {}) }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      resolve({ ok: !error, output: error?.killed ? `${output}\n(killed after ${timeoutMs} ms)` : output });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function logTail(path: string, lines = 30): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Starts a fresh cluster (see {@link PgCluster}); throws with the tools' output and the server log's tail when it cannot. */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const database = options.database ?? 'studio_test';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`Test PostgreSQL: database name "${database}" must be lowercase letters, digits and _.`);
  const bin = findPgBin();
  if (!bin)
    throw new Error(
      `No PostgreSQL server binaries under ${PG_ROOT}/*/bin (or $PG_BIN). Run \`node test/pg/ensure-postgres.mjs\` or \`apt-get install -y postgresql\`.`,
    );
  const as = clusterUser();
  const dir = await mkdtemp(join(tmpdir(), 'studio-pg-'));
  const dataDir = join(dir, 'data');
  const log = join(dir, 'server.log');
  const fail = async (what: string, output: string, withLog: boolean): Promise<never> => {
    const tail = withLog ? `\n--- server log (${log}) ---\n${await logTail(log)}` : '';
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`Test PostgreSQL: ${what} failed (${bin}${as ? ', as user postgres' : ''}).\n${output}${tail}`);
  };
  try {
    if (as) await chown(dir, as.uid, as.gid);
  } catch (e) {
    return fail('preparing the directory', e instanceof Error ? e.message : String(e), false);
  }
  const init = await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'], as, timeoutMs);
  if (!init.ok) {
    const hint = as ? `\n(The postgres user must be able to reach ${dir}: point TMPDIR at a directory it can traverse, such as /tmp.)` : '';
    return fail('initdb', `${init.output}${hint}`, false);
  }
  const t1 = performance.now();

  let port = 0;
  let started = false;
  let lastOutput = '';
  // A free port can be taken between asking and binding: try a few.
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# test cluster (test/pg/pg-cluster.ts)',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = ${quote(dir)}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'wal_level = minimal',
        'max_wal_senders = 0',
        'autovacuum = off',
        'shared_buffers = 32MB',
        'max_connections = 100',
        'logging_collector = off',
        '',
      ].join('\n'),
    );
    const start = await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', log, '-w', '-t', String(Math.ceil(timeoutMs / 1000)), 'start'], as, timeoutMs + 5_000);
    started = start.ok;
    lastOutput = start.output;
    if (!started && !/could not bind|already in use/i.test(await logTail(log, 10))) break;
  }
  if (!started) {
    // A start that timed out may have left a server running: stop it before removing its directory.
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', '-t', '15', 'stop'], as, 20_000);
    return fail('pg_ctl start', lastOutput, true);
  }
  const t2 = performance.now();
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

  const pgCtl = join(bin, 'pg_ctl');
  const dismissWatchdog = startWatchdog({ pgCtl, dataDir, dir, as, env: cleanEnv() });
  // If the test process exits without calling stop(); the watchdog covers a kill -9.
  const onExit = () => {
    spawnSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '15', 'stop'], { env: cleanEnv(), stdio: 'ignore', timeout: 20_000, ...(as ?? {}) });
    rmSync(dir, { recursive: true, force: true });
    dismissWatchdog();
  };
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', onExit);
      const result = await run(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '15', 'stop'], as, 20_000);
      if (!result.ok) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await rm(dir, { recursive: true, force: true });
      dismissWatchdog();
    })());

  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
  } catch (e) {
    const tail = await logTail(log);
    await stop();
    throw new Error(
      `Test PostgreSQL: creating database ${database} on port ${port} failed: ${e instanceof Error ? e.message : String(e)}\n--- server log ---\n${tail}`,
      {
        cause: e,
      },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
  const t3 = performance.now();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    database,
    dir,
    dataDir,
    pid,
    timings: { initdbMs: Math.round(t1 - t0), startMs: Math.round(t2 - t1), createDbMs: Math.round(t3 - t2), totalMs: Math.round(t3 - t0) },
    stop,
  };
}

/** Pids of the postmaster `pid` and of every process it started (checkpointer, backends, …) still running. */
export function processesOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid …": fields after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && (Number(name) === pid || Number(ppid) === pid)) found.push(Number(name));
  }
  return found;
}

import { spawn } from 'node:child_process';

/** What the watchdog needs to stop a cluster: pg_ctl, the data and temp directories, the account it runs as. */
export interface WatchedCluster {
  pgCtl: string;
  dataDir: string;
  dir: string;
  as: { uid: number; gid: number } | undefined;
  env: NodeJS.ProcessEnv;
}

// Plain CommonJS for `node -e`: polls the test process and, once it is gone, stops the cluster and removes its directory.
const SCRIPT = `
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const [parent, pgCtl, dataDir, dir, uid, gid] = process.argv.slice(1);
const as = uid ? { uid: Number(uid), gid: Number(gid) } : {};
const alive = () => { try { process.kill(Number(parent), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (alive()) return;
  clearInterval(timer);
  spawnSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '15', 'stop'], { stdio: 'ignore', timeout: 20000, ...as });
  rmSync(dir, { recursive: true, force: true });
}, 250);
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * A detached process that stops the cluster if the test process dies without stopping it
 * (kill -9, a crashed worker): no server and no directory outlive the tests. Returns a function
 * that dismisses it (after a normal stop).
 */
export function startWatchdog(c: WatchedCluster): () => void {
  const args = ['-e', SCRIPT, String(process.pid), c.pgCtl, c.dataDir, c.dir, ...(c.as ? [String(c.as.uid), String(c.as.gid)] : [])];
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env: c.env });
  child.unref();
  return () => {
    try {
      child.kill('SIGTERM');
    } catch {
      // Already gone.
    }
  };
}

#!/usr/bin/env node
// The PostgreSQL tests (test/pg) start a throwaway cluster with Debian's server binaries
// (initdb, pg_ctl, postgres under /usr/lib/postgresql/<version>/bin, or $PG_BIN). When they are
// missing, installs Debian's `postgresql` package if it can (root + apt-get), else stops with a
// message saying how. The package may create and start its own default cluster: the tests never
// use it (they start their own on a free port). Keep the lookup in step with test/pg/pg-cluster.ts.
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const PG_ROOT = '/usr/lib/postgresql';
const TOOLS = ['initdb', 'pg_ctl', 'postgres'];
const usable = (bin) =>
  TOOLS.every((t) => {
    try {
      accessSync(join(bin, t), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
const found = () => {
  if (process.env.PG_BIN) return usable(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  let versions;
  try {
    versions = readdirSync(PG_ROOT);
  } catch {
    return undefined;
  }
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(PG_ROOT, v, 'bin'))
    .find(usable);
};

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
// As root the cluster runs as the package's `postgres` user (initdb refuses root).
const hasPostgresUser = () => {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((l) => l.startsWith('postgres:'));
  } catch {
    return false;
  }
};
const ready = () => found() && (!isRoot || hasPostgresUser());

if (ready()) process.exit(0);

if (process.env.PG_BIN && !found()) {
  // An explicit choice that is wrong: installing a package would not fix it.
  console.error(
    `PG_BIN=${process.env.PG_BIN} does not hold initdb, pg_ctl and postgres. Point it at a PostgreSQL bin directory (e.g. /usr/lib/postgresql/15/bin) or unset it.`,
  );
  process.exit(1);
}

const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (isRoot && hasApt) {
  console.error("PostgreSQL server binaries not found: installing Debian's postgresql package for the PostgreSQL tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env });
  if (install && install.status === 0 && ready()) process.exit(0);
}
console.error(
  [
    'The PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl), and they are not installed.',
    'Install them with:   sudo apt-get install -y postgresql',
    'or point PG_BIN at a directory holding initdb, pg_ctl and postgres, then run `npm test` again.',
    ...(isRoot ? ['Running as root, the tests also need the `postgres` system user (the Debian package creates it).'] : []),
  ].join('\n'),
);
process.exit(1);

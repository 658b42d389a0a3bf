#!/usr/bin/env node
// Browser tests drive Debian's Chromium with playwright-core (never `npx playwright install`:
// it downloads a browser build, which this project's machines cannot fetch).
// Finds Chromium at $CHROMIUM_PATH or /usr/bin/chromium; when missing, installs Debian's
// package if it can (root + apt-get), else stops with a message saying how.
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter(Boolean);
const found = () =>
  candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

if (found()) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (isRoot && hasApt) {
  console.error("Chromium not found: installing Debian's chromium package for the browser tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  if (install && install.status === 0 && found()) process.exit(0);
}
console.error(
  [
    'The browser tests need Chromium, and it is not installed.',
    'Install it with:   sudo apt-get install -y chromium',
    'or point CHROMIUM_PATH at a Chromium/Chrome binary, then run `npm test` again.',
  ].join('\n'),
);
process.exit(1);

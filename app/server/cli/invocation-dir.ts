import { isAbsolute } from 'node:path';

/**
 * The folder the user ran the command in, that relative paths (`--rows rows.csv`, `--out shots/`,
 * `--cache-dir`, a relative `SEQUENCE_STUDIO_CACHE`) are taken from. `npm run cli` runs its
 * script in the package's own folder, so `npm --prefix ~/sequence-studio run cli -- … --rows
 * rows.csv` (or `npm run cli` from a subfolder) would look for rows.csv there; npm names the
 * folder it was started in as INIT_CWD. Only for npm's `cli` script: any other process may have
 * inherited the INIT_CWD of an outer npm command (`npm test` spawning the CLI elsewhere).
 */
export function invocationDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const init = env.INIT_CWD;
  return env.npm_lifecycle_event === 'cli' && init && isAbsolute(init) ? init : cwd;
}

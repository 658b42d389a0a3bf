/**
 * `npm run bench`: runs every benchmark script in test/bench (files named `*-bench.ts`) one
 * after another, each in its own process so one's garbage does not slow the next. Each prints
 * its own table of ratios measured within that one run; this exits non-zero if any missed a goal.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('-bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.stdout.write(`\n${benches.length - failed} of ${benches.length} benchmarks met their goals.\n`);
process.exitCode = failed ? 1 : 0;

/**
 * Standalone simulator: `npm run simulator -- [flags]`. Serves the simulated Model API until
 * Ctrl-C. Point an API client's base URL at the printed base URL.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startSimulator, zFault, type Fault, type SimulatorOptions } from './simulator';

const HELP = `Usage: npm run simulator -- [options]

Serves a simulated RunComfy Model API for Seedream 4.5 Edit Sequential (frames marked SIMULATED).

  --host <addr>            interface to bind (env HOST; default 127.0.0.1)
  --port <n>               port (env PORT; default 8189; 0 = any free port)
  --base-path <path>       API base path (default /v1)
  --public-url <url>       origin written into result/output URLs (default the bound address)
  --token <t>              require "Authorization: Bearer <t>" (env SIMULATOR_TOKEN; default none)
  --time-scale <k>         multiply all latencies by k (e.g. 0.1 = ten times faster)
  --fast                   same as --time-scale 0.05
  --workers <n>            jobs running at once (default 2)
  --queue-ms <ms>          minimum time in queue (default 500)
  --base-ms <ms>           run time per job (default 1500)
  --per-image-ms <ms>      run time per output image (default 1000)
  --output-scale <k>       render frames at k × the resolution (default 1; e.g. 0.25)
  --billing <b>            cost per "requested" (max images, default) or "delivered" image
  --omit-urls              submit answers with request_id only
  --expire-after-ms <ms>   forget finished jobs after this long (default never)
  --fault <json>           a server-level fault, repeatable, e.g.
                           '{"kind":"http","status":429,"route":"submit","times":2,"headers":{"Retry-After":"1"}}'
  -h, --help               this text

Control while running: GET /_simulator, POST|DELETE /_simulator/faults, PATCH /_simulator/settings.`;

const num = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${flag} expects a number, got "${v}"`);
  return n;
};

function parseFault(text: string): Fault {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`--fault expects JSON, got: ${text}`);
  }
  const parsed = zFault.safeParse(raw);
  if (!parsed.success) throw new Error(`--fault ${text}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function optionsFromArgs(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'base-path': { type: 'string' },
      'public-url': { type: 'string' },
      token: { type: 'string' },
      'time-scale': { type: 'string' },
      fast: { type: 'boolean' },
      workers: { type: 'string' },
      'queue-ms': { type: 'string' },
      'base-ms': { type: 'string' },
      'per-image-ms': { type: 'string' },
      'output-scale': { type: 'string' },
      billing: { type: 'string' },
      'omit-urls': { type: 'boolean' },
      'expire-after-ms': { type: 'string' },
      fault: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (v.help) return 'help';
  const billing = v.billing;
  if (billing !== undefined && billing !== 'requested' && billing !== 'delivered') throw new Error('--billing is "requested" or "delivered"');
  const entries: [string, unknown][] = [
    ['host', v.host ?? env.HOST ?? '127.0.0.1'],
    ['port', num('port', v.port ?? env.PORT) ?? 8189],
    ['basePath', v['base-path']],
    ['publicUrl', v['public-url']],
    ['token', v.token ?? env.SIMULATOR_TOKEN],
    ['timeScale', num('time-scale', v['time-scale']) ?? (v.fast ? 0.05 : undefined)],
    ['workers', num('workers', v.workers)],
    ['queueDelayMs', num('queue-ms', v['queue-ms'])],
    ['baseMs', num('base-ms', v['base-ms'])],
    ['perImageMs', num('per-image-ms', v['per-image-ms'])],
    ['outputScale', num('output-scale', v['output-scale'])],
    ['billing', billing],
    ['omitSubmitUrls', v['omit-urls']],
    ['expireAfterMs', num('expire-after-ms', v['expire-after-ms'])],
    ['faults', v.fault?.map(parseFault)],
  ];
  return Object.fromEntries(entries.filter(([, x]) => x !== undefined && x !== '')) as SimulatorOptions;
}

async function main(): Promise<void> {
  let options: SimulatorOptions | 'help';
  try {
    options = optionsFromArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`simulator: ${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === 'help') return console.log(HELP);
  const sim = await startSimulator(options).catch((err: unknown) => {
    const why = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
    console.error(`simulator: cannot start: ${why}`);
    process.exit(1);
  });
  const s = sim.settings();
  console.log(`RunComfy Model API simulator (NOT Seedream output) listening on ${sim.url}`);
  console.log(`  base URL   ${sim.baseUrl}`);
  console.log(`  model      ${sim.modelUrl}`);
  console.log(`  auth       ${options.token ? 'bearer token required' : 'none'}`);
  console.log(`  latency    queue ${s.queueDelayMs} ms, run ${s.baseMs} + ${s.perImageMs} ms/image, ×${s.timeScale}, ${s.workers} workers`);
  console.log(`  frames     ×${s.outputScale} of the resolution; faults ${options.faults?.length ?? 0}`);
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

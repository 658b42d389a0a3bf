/**
 * Standalone simulator: `npm run simulator -- [flags]`. Serves the simulated Model API until
 * Ctrl-C. Point an API client's base URL at the printed base URL.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { simFaults, startSimulator, zChaos, zFault, type ChaosConfig, type Fault, type SimulatorOptions, type UnknownStatus } from './simulator';

const HELP = `Usage: npm run simulator -- [options]

Serves a simulated RunComfy Model API for Seedream 4.5 Edit Sequential (frames marked SIMULATED).

  --host <addr>            interface to bind (env HOST; default 127.0.0.1)
  --port <n>               port (env SIMULATOR_PORT or PORT; default 8189; 0 = any free port)
  --base-path <path>       API base path (default /v1)
  --public-url <url>       origin written into result/output URLs (default the bound address)
  --token <t>              require "Authorization: Bearer <t>" (env SIMULATOR_TOKEN; default none)
  --time-scale <k>         multiply all latencies by k (env SIMULATOR_TIME_SCALE; e.g. 0.1 = ten times faster)
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
                           '{"kind":"http","status":429,"retryAfter":{"seconds":90,"form":"http-date"},"route":"status"}'
  --hold-submits           every submit creates its job but its answer is held until
                           POST /_simulator/release (or --hold-ms, or the client gives up)
  --hold-ms <ms>           with --hold-submits: send held answers after this long
  --fail-file <i[:how]>    downloads of output i (0-based) fail; how = a status (default 404),
                           reset or hang; repeatable
  --files-expire-after-ms <ms>  output URLs stop working this long after their job finished
  --expired-file-status <n>     what an expired output URL answers (default 403)
  --unknown-status <word>  jobs report this status word while queued/running, e.g. starting
  --unknown-status-polls <n>    … for their first n polls only
  --unknown-status-ms <ms>      … within this long of the submit only
  --unknown-status-on <e>       status (default), result or both
  --refuse-cancel          every cancel answers not_cancellable, even for queued jobs
  --chaos-seed <n>         turn chaos on with this seed (env SIMULATOR_CHAOS_SEED; default 1)
  --chaos <json>           chaos probabilities (env SIMULATOR_CHAOS), e.g.
                           '{"read":{"serverError":0.05,"hang":0.01},"submit":0.1,"file":0.1}'
  --chaos-read <p>         probability of a fault on status/result/cancel (5xx, 429, reset, hang)
  --chaos-submit <p>       … on submits (502 after accept, reset after accept, held answer)
  --chaos-file <p>         … on file downloads (transient failure, URLs expire)
  --chaos-hold-ms <ms>     how long chaos holds a submit answer (default 5000)
  --chaos-hang-ms <ms>     chaos hangs reset after this long (default: until the client gives up)
  -h, --help               this text

Control while running: GET /_simulator, POST|DELETE /_simulator/faults, PUT /_simulator/faults/defaults,
PATCH /_simulator/settings, GET /_simulator/submits, GET /_simulator/held, POST /_simulator/release,
GET /_simulator/chaos, POST /_simulator/jobs/<id>/expire, POST /_simulator/jobs/<id>/expire-files.`;

const num = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${flag} expects a number, got "${v}"`);
  return n;
};

function parseFault(text: string): Fault {
  const parsed = zFault.safeParse(parseJsonFlag('fault', text));
  if (!parsed.success) throw new Error(`--fault ${text}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--${flag} expects JSON, got: ${text}`);
  }
}

/** `--fail-file 2`, `2:500`, `1:reset`, `3:hang`. */
function parseFileFailure(text: string): Fault {
  const m = /^(\d+)(?::(\d{3}|reset|hang))?$/.exec(text);
  if (!m) throw new Error(`--fail-file expects <index>[:<status>|reset|hang], e.g. 2:404, got "${text}"`);
  const how = m[2] === undefined ? 404 : m[2] === 'reset' || m[2] === 'hang' ? m[2] : Number(m[2]);
  return simFaults.fileFails(Number(m[1]), how);
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The chaos config the flags and environment ask for, or undefined when they name none. */
function chaosFrom(v: Values, env: NodeJS.ProcessEnv): ChaosConfig | undefined {
  const str = (k: string) => v[k] as string | undefined;
  const json = str('chaos') ?? env.SIMULATOR_CHAOS;
  const seed = num('chaos-seed', str('chaos-seed') ?? env.SIMULATOR_CHAOS_SEED);
  const parts: Record<string, unknown> = {
    ...(json === undefined ? {} : (parseJsonFlag('chaos', json) as object)),
    ...Object.fromEntries(
      (['read', 'submit', 'file'] as const).flatMap((c) => {
        const p = num(`chaos-${c}`, str(`chaos-${c}`));
        return p === undefined ? [] : [[c, p]];
      }),
    ),
  };
  const holdMs = num('chaos-hold-ms', str('chaos-hold-ms'));
  const hangMs = num('chaos-hang-ms', str('chaos-hang-ms'));
  if (holdMs !== undefined) parts.holdMs = holdMs;
  if (hangMs !== undefined) parts.hangMs = hangMs;
  if (seed === undefined && Object.keys(parts).length === 0) return undefined;
  const parsed = zChaos.safeParse({ seed: 1, ...parts, ...(seed === undefined ? {} : { seed }) });
  if (!parsed.success) throw new Error(`--chaos:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function unknownStatusFrom(v: Values): UnknownStatus | undefined {
  const word = v['unknown-status'] as string | undefined;
  if (word === undefined) return undefined;
  const on = v['unknown-status-on'];
  if (on !== undefined && on !== 'status' && on !== 'result' && on !== 'both') throw new Error('--unknown-status-on is "status", "result" or "both"');
  const polls = num('unknown-status-polls', v['unknown-status-polls'] as string | undefined);
  const forMs = num('unknown-status-ms', v['unknown-status-ms'] as string | undefined);
  return { word, ...(polls === undefined ? {} : { polls }), ...(forMs === undefined ? {} : { forMs }), ...(on === undefined ? {} : { on }) };
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
      'hold-submits': { type: 'boolean' },
      'hold-ms': { type: 'string' },
      'fail-file': { type: 'string', multiple: true },
      'files-expire-after-ms': { type: 'string' },
      'expired-file-status': { type: 'string' },
      'unknown-status': { type: 'string' },
      'unknown-status-polls': { type: 'string' },
      'unknown-status-ms': { type: 'string' },
      'unknown-status-on': { type: 'string' },
      'refuse-cancel': { type: 'boolean' },
      'chaos-seed': { type: 'string' },
      chaos: { type: 'string' },
      'chaos-read': { type: 'string' },
      'chaos-submit': { type: 'string' },
      'chaos-file': { type: 'string' },
      'chaos-hold-ms': { type: 'string' },
      'chaos-hang-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (v.help) return 'help';
  const billing = v.billing;
  if (billing !== undefined && billing !== 'requested' && billing !== 'delivered') throw new Error('--billing is "requested" or "delivered"');
  const holdMs = num('hold-ms', v['hold-ms']);
  if (holdMs !== undefined && !v['hold-submits']) throw new Error('--hold-ms needs --hold-submits');
  const faults: Fault[] = [
    ...(v.fault ?? []).map(parseFault),
    ...(v['fail-file'] ?? []).map(parseFileFailure),
    ...(v['hold-submits'] ? [simFaults.holdSubmit(holdMs)] : []),
    ...(v['refuse-cancel'] ? [simFaults.refuseCancel()] : []),
  ];
  const entries: [string, unknown][] = [
    ['host', v.host ?? env.HOST ?? '127.0.0.1'],
    ['port', num('port', v.port ?? env.SIMULATOR_PORT ?? env.PORT) ?? 8189],
    ['basePath', v['base-path']],
    ['publicUrl', v['public-url']],
    ['token', v.token ?? env.SIMULATOR_TOKEN],
    ['timeScale', num('time-scale', v['time-scale'] ?? env.SIMULATOR_TIME_SCALE) ?? (v.fast ? 0.05 : undefined)],
    ['workers', num('workers', v.workers)],
    ['queueDelayMs', num('queue-ms', v['queue-ms'])],
    ['baseMs', num('base-ms', v['base-ms'])],
    ['perImageMs', num('per-image-ms', v['per-image-ms'])],
    ['outputScale', num('output-scale', v['output-scale'])],
    ['billing', billing],
    ['omitSubmitUrls', v['omit-urls']],
    ['expireAfterMs', num('expire-after-ms', v['expire-after-ms'])],
    ['filesExpireAfterMs', num('files-expire-after-ms', v['files-expire-after-ms'])],
    ['expiredFileStatus', num('expired-file-status', v['expired-file-status'])],
    ['unknownStatus', unknownStatusFrom(v)],
    ['chaos', chaosFrom(v, env)],
    ['faults', faults.length > 0 ? faults : undefined],
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
  if (s.chaos) console.log(`  chaos      ${JSON.stringify(s.chaos)}`);
  console.log(`  control    ${sim.url}/_simulator`);
  const stop = () => {
    // Closing drops held and hanging connections at once; never outlive a stuck close.
    setTimeout(() => process.exit(0), 3000).unref();
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

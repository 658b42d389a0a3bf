import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MAX_OUTPUT_IMAGES, MIN_OUTPUT_IMAGES, RESOLUTIONS } from '../../model/seedream';

export const CLI_HELP = `Usage:
  npm run cli -- edit --image <path|https-url>... --prompt <text> [--max N] [--resolution <label>] [--seed N] --out <dir> [options]
  npm run cli -- run <workflow.json | workflow.png | template id> [--set <field>=<value>...] [--set <node>.<param>=<value>...] --out <dir> [options]
  npm run cli -- batch <workflow.json | template id> --rows <rows.csv|rows.tsv|rows.jsonl> --out <dir> [--max-spend USD] [--skip-invalid] [--queue postgres://…] [options]
  npm run cli -- worker --queue postgres://… [--concurrency N] [--cache-dir <dir>] [--lease-seconds N]
  npm run cli -- collect --queue postgres://… --out <dir> [--batch <id>]   a queued batch's rows to disk; submits nothing
  npm run cli -- templates [--json]      the built-in templates and the fields each one exposes to --set

Options:
  --out <dir>            where images and manifest.json are written (required for edit/run)
  --concurrency <n>      nodes running at once (default 4)
  --cache-dir <dir>      the job ledger, images and results (default ~/.cache/sequence-studio, or
                         $SEQUENCE_STUDIO_CACHE): the same work is never submitted (or paid) twice
  --simulate             use the built-in RunComfy simulator (placeholder images, no cost)
  --set <field>=<value>  fill a template field (see "templates"); <node>.<param>=<value> sets any param.
                         Fields listed as required hold only sample values: run refuses until they are set.
                         Image fields and params take a file path or an https URL.
  --repay <job id|all>   pay again for work an earlier attempt may have been billed for (an unknown
                         submission, expired or lost images): the run names the job id; repeatable
  --json                 print a machine-readable summary (the manifest; batch.json for batch) on stdout

Batch:
  --rows <file>          one run per row; the header names template fields or <node>.<param>, values as --set
                         takes them (image paths relative to the rows file), an optional id column names rows
                         (else 0001…). Every row is checked and the batch's maximum cost printed before any submit.
  --concurrency <n>      for batch: rows at once (each row runs up to 4 nodes at once)
  --max-spend <USD>      refuse a batch that could cost more; while running, never start a job that could pass it
  --skip-invalid         run the good rows and report the bad ones (default: any bad row stops the batch, exit 2)
                         Output: <out>/<row id>/ (images, manifest.json) and <out>/batch.json. Run the same command
                         with the same --cache-dir again to run only the unfinished rows; nothing is paid twice.
  --queue <postgres-url> run the rows on "worker" processes (any machines) through pg-boss on that PostgreSQL
                         database; the job ledger and images live there too. Re-running the same command follows
                         the batch again and writes its folders.

Worker:
  worker --queue <url>   takes rows of every batch queued for its API (RUNCOMFY_BASE_URL) and runs them; Ctrl-C
                         hands its running rows back to the queue (another worker re-attaches: nothing is paid twice)
  --concurrency <n>      rows at once (default 4)
  --lease-seconds <n>    a worker that stops answering loses its rows to another worker after this long (default 30)
  --cache-dir <dir>      where learned run times are kept (optional)
  -h, --help             this text

Without --simulate, RUNCOMFY_API_TOKEN must be set (RUNCOMFY_BASE_URL optionally points elsewhere).
Exit codes: 0 done; 1 something failed (the manifest says what); 2 refused before paying anything
(bad command line, graph or rows, an earlier attempt that needs --repay, over --max-spend); 130, 143, 129
stopped by SIGINT, SIGTERM, SIGHUP (queued jobs cancelled, running ones named, manifest written).
Resolutions: ${RESOLUTIONS.join(' | ')}`;

/** Thrown for bad command lines: printed with the help hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const zCommon = z.object({
  out: z.string().min(1, '--out <dir> is required'),
  concurrency: z.coerce.number().int().min(1).max(16).default(4),
  cacheDir: z.string().min(1).optional(),
  simulate: z.boolean().default(false),
  json: z.boolean().default(false),
  repay: z.array(z.string().min(1)).default([]),
});

export type CliCommand =
  | { command: 'help' }
  | { command: 'templates'; json: boolean }
  | (z.infer<typeof zCommon> & {
      command: 'edit';
      images: string[];
      prompt: string;
      maxImages?: number;
      resolution?: string;
      seed?: number;
    })
  | (z.infer<typeof zCommon> & { command: 'run'; source: string; sets: string[] })
  | (z.infer<typeof zCommon> & { command: 'batch'; source: string; rows: string; maxSpendUsd?: number; skipInvalid: boolean; queue?: string })
  | { command: 'worker'; queue: string; concurrency: number; cacheDir?: string; leaseSeconds: number }
  | { command: 'collect'; queue: string; out: string; batchId?: string; json: boolean };

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\/\S+$/i.test(url);

const intFlag = (flag: string, lo: number, hi: number) =>
  z.coerce
    .number({ error: `${flag} expects a whole number` })
    .int(`${flag} expects a whole number`)
    .min(lo, `${flag} must be at least ${lo}`)
    .max(hi, `${flag} must be at most ${hi}`);

/** Parses `argv` (without node and script) into a command, or throws a UsageError saying what is wrong. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (v.help || command === undefined || command === 'help') return { command: 'help' };
  if (command === 'templates') return { command: 'templates', json: v.json ?? false };
  if (command === 'worker') return parseWorker(v, rest);
  if (command === 'collect') {
    if (rest.length) throw new UsageError(`collect takes no positional arguments (got "${rest.join(' ')}")`);
    if (!v.queue || !isPostgresUrl(v.queue)) throw new UsageError("collect needs --queue postgres://user@host:5432/db (the batch's database)");
    if (!v.out) throw new UsageError("collect needs --out <dir> (where the batch's rows are written)");
    return { command: 'collect', queue: v.queue, out: v.out, json: v.json ?? false, ...(v.batch ? { batchId: v.batch } : {}) };
  }

  const common = zCommon.safeParse({
    out: v.out ?? '',
    concurrency: v.concurrency,
    cacheDir: v['cache-dir'],
    simulate: v.simulate ?? false,
    json: v.json ?? false,
    repay: v.repay ?? [],
  });
  if (!common.success) throw new UsageError(common.error.issues.map((i) => i.message).join('; '));

  if (command === 'edit') {
    if (rest.length) throw new UsageError(`edit takes no positional arguments (got "${rest.join(' ')}"); use --image and --prompt`);
    if (!v.image?.length) throw new UsageError('edit needs at least one --image <path|https-url>');
    if (v.prompt === undefined) throw new UsageError('edit needs --prompt <text>');
    const num = (flag: string, raw: string | undefined, lo: number, hi: number) => {
      if (raw === undefined) return undefined;
      const r = intFlag(flag, lo, hi).safeParse(raw);
      if (!r.success) throw new UsageError(`${r.error.issues[0]?.message ?? 'invalid'} (got "${raw}")`);
      return r.data;
    };
    if (v.resolution !== undefined && !(RESOLUTIONS as readonly string[]).includes(v.resolution)) {
      throw new UsageError(`--resolution "${v.resolution}" is not one of: ${RESOLUTIONS.join(', ')}`);
    }
    return {
      command: 'edit',
      ...common.data,
      images: v.image,
      prompt: v.prompt,
      ...(v.max !== undefined ? { maxImages: num('--max', v.max, MIN_OUTPUT_IMAGES, MAX_OUTPUT_IMAGES) } : {}),
      ...(v.resolution !== undefined ? { resolution: v.resolution } : {}),
      ...(v.seed !== undefined ? { seed: num('--seed', v.seed, 0, Number.MAX_SAFE_INTEGER) } : {}),
    };
  }
  if (command === 'run') {
    if (rest.length !== 1) throw new UsageError('run takes exactly one workflow file or template id');
    return { command: 'run', ...common.data, source: rest[0]!, sets: v.set ?? [] };
  }
  if (command === 'batch') {
    if (rest.length !== 1) throw new UsageError('batch takes exactly one workflow file or template id');
    if (!v.rows) throw new UsageError('batch needs --rows <rows.csv|rows.tsv|rows.jsonl>');
    if (v.set?.length) throw new UsageError('batch takes its values from --rows, not --set: add a column per field');
    const spend = v['max-spend'] === undefined ? undefined : z.coerce.number().finite().min(0).safeParse(v['max-spend']);
    if (spend && !spend.success) throw new UsageError(`--max-spend expects an amount in USD, e.g. 5 or 12.50 (got "${v['max-spend']}")`);
    if (v.queue !== undefined && !isPostgresUrl(v.queue))
      throw new UsageError(`--queue expects a PostgreSQL URL, e.g. postgres://user@host:5432/db (got "${v.queue}")`);
    if (v.queue !== undefined && common.data.simulate)
      throw new UsageError(
        "--queue cannot be used with --simulate: workers on other machines cannot reach this process's simulator. Point RUNCOMFY_BASE_URL at a shared one.",
      );
    return {
      command: 'batch',
      ...common.data,
      source: rest[0]!,
      rows: v.rows,
      skipInvalid: v['skip-invalid'] ?? false,
      ...(spend ? { maxSpendUsd: spend.data } : {}),
      ...(v.queue !== undefined ? { queue: v.queue } : {}),
    };
  }
  throw new UsageError(`Unknown command "${command}": use edit, run, batch, worker, collect or templates`);
}

function parseWorker(v: Record<string, unknown>, rest: string[]): CliCommand {
  if (rest.length) throw new UsageError(`worker takes no positional arguments (got "${rest.join(' ')}")`);
  const queue = v.queue as string | undefined;
  if (!queue || !isPostgresUrl(queue)) throw new UsageError('worker needs --queue postgres://user@host:5432/db (the database the batch coordinator uses)');
  const num = (flag: string, raw: unknown, lo: number, hi: number, dflt: number) => {
    if (raw === undefined) return dflt;
    const r = intFlag(flag, lo, hi).safeParse(raw);
    if (!r.success) throw new UsageError(`${r.error.issues[0]?.message ?? 'invalid'} (got "${String(raw)}")`);
    return r.data;
  };
  const cacheDir = v['cache-dir'] as string | undefined;
  return {
    command: 'worker',
    queue,
    concurrency: num('--concurrency', v.concurrency, 1, 64, 4),
    leaseSeconds: num('--lease-seconds', v['lease-seconds'], 1, 3600, 30),
    ...(cacheDir ? { cacheDir } : {}),
  };
}

const OPTIONS = {
  image: { type: 'string', multiple: true },
  prompt: { type: 'string' },
  max: { type: 'string' },
  resolution: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  set: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  'cache-dir': { type: 'string' },
  repay: { type: 'string', multiple: true },
  rows: { type: 'string' },
  'max-spend': { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  queue: { type: 'string' },
  'lease-seconds': { type: 'string' },
  batch: { type: 'string' },
  simulate: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

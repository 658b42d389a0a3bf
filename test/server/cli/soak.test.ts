import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunComfyClient, RunComfyProvider, type RunComfyPayload } from '../../../app/api/runcomfy';
import type { JobRecord } from '../../../app/ledger';
import { SEEDREAM_MODEL_ID } from '../../../app/model/seedream';
import { extensionOf } from '../../../app/server/file-asset-store';
import { connectSimulator, submitInputHash, type ChaosConfig, type SubmitRecord } from '../../../app/server/simulator';
import { graph } from '../../fixtures/graph-builder';
import { MemoryAssetStore } from '../../fixtures/fake-run-context';
import { spawnSimulator, type SimulatorProcess } from '../simulator-process';
import { tempDir, writePng } from './cli-fixtures';
import { ledgerRecords, spawnCli } from './cli-process';

/**
 * The money promise under stress: paid jobs through the CLI (real child processes) against ONE
 * simulator process in seeded chaos mode, with kill -9 of the CLI at seeded random moments, each
 * kill followed by a re-run with the same --cache-dir until the run ends on its own. Then, from
 * the simulator's submit log and the ledger files: no input accepted twice, every accepted
 * submit stored with every image on disk or reported (unknown, expired, lost, partial — with its
 * ids), no run hung. Sized to stay under ~3 minutes on two cores; SOAK scales it.
 */
const SOAK = {
  workflows: 10,
  nodesPerWorkflow: 20,
  /** Nodes at once per CLI run. */
  concurrency: 8,
  /** CLI processes at once (one cache dir each: the ledger has one writer). */
  parallel: 3,
  runsPerWorkflow: 6,
  /** Chance that a run (other than the last allowed one) is killed, and when. */
  killChance: 0.6,
  killAfterMs: [800, 8_000] as const,
  /** A run still going after this long is hung (killed and counted). */
  runBoundMs: 120_000,
  seed: 20261201,
};

const CHAOS: ChaosConfig = {
  seed: SOAK.seed,
  read: { serverError: 0.04, rateLimited: 0.02, reset: 0.03, hang: 0.02 },
  submit: { errorAfterAccept: 0.015, resetAfterAccept: 0.015, hold: 0.15 },
  file: { fail: 0.06, expire: 0.01 },
  holdMs: 2_000,
  hangMs: 700,
};

/** mulberry32, for the kill schedule (the simulator seeds its own). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PlannedNode {
  workflow: number;
  nodeId: string;
  prompt: string;
  seed: number;
}

interface WorkflowOutcome {
  runs: number;
  kills: number;
  hung: number;
  exitCode: number | null;
  /** stderr of the run that ended on its own. */
  lastStderr: string;
  /** One line per run: killed when, or its exit code (shown when the audit finds a problem). */
  history: string[];
  cacheDir: string;
}

const sims: SimulatorProcess[] = [];
afterAll(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

describe('CLI soak (chaos + kill -9)', () => {
  it(
    'pays no input twice, loses no paid result silently and hangs no run',
    async () => {
      const t0 = Date.now();
      const dir = await tempDir();
      const ref = await writePng(dir, 'ref.png');
      const sim = await spawnSimulator([
        '--port',
        '0',
        '--token',
        'soak-token',
        '--queue-ms',
        '100',
        '--base-ms',
        '400',
        '--per-image-ms',
        '150',
        '--workers',
        '16',
        '--output-scale',
        '0.02',
        '--chaos',
        JSON.stringify(CHAOS),
      ]);
      sims.push(sim);
      const api = { apiBaseUrl: `${sim.url}/v1`, token: 'soak-token' };

      // The workflows: each one Load Image feeding N independent Seedream nodes, each with its own Save.
      const planned: PlannedNode[] = [];
      const files: string[] = [];
      for (let w = 0; w < SOAK.workflows; w++) {
        const g = graph({ name: `soak ${w}` }).node('load', 'image.load');
        for (let n = 0; n < SOAK.nodesPerWorkflow; n++) {
          const node = { workflow: w, nodeId: `gen${n}`, prompt: `Generate 2 images of soak scene ${w}-${n}`, seed: 1000 * w + n };
          planned.push(node);
          g.node(node.nodeId, 'seedream.edit-sequential', { prompt: node.prompt, maxImages: 2, resolution: '2K', seed: node.seed })
            .node(`save${n}`, 'image.save', { prefix: `w${w}-n${n}` })
            .edge('load.image', `${node.nodeId}.images`, { order: 0 })
            .edge(`${node.nodeId}.images`, `save${n}.images`);
        }
        const file = join(dir, `workflow-${w}.json`);
        await writeFile(file, JSON.stringify(g.build()));
        files.push(file);
      }
      const byHash = await expectedHashes(planned, new Uint8Array(await readFile(ref)));

      const runWorkflow = async (w: number): Promise<WorkflowOutcome> => {
        // One generator per workflow: its kill schedule does not depend on how the workflows interleave.
        const random = rng(SOAK.seed + w);
        const cacheDir = join(dir, `cache-${w}`);
        const outcome: WorkflowOutcome = { runs: 0, kills: 0, hung: 0, exitCode: null, lastStderr: '', cacheDir, history: [] };
        for (let run = 1; run <= SOAK.runsPerWorkflow; run++) {
          const out = join(dir, `out-${w}`, `run-${run}`);
          await mkdir(out, { recursive: true });
          const p = spawnCli(
            ['run', files[w]!, '--set', `load.image=${ref}`, '--cache-dir', cacheDir, '--out', out, '--concurrency', String(SOAK.concurrency)],
            api,
          );
          outcome.runs++;
          const lastAllowed = run === SOAK.runsPerWorkflow;
          const killAt = !lastAllowed && random() < SOAK.killChance ? SOAK.killAfterMs[0] + random() * (SOAK.killAfterMs[1] - SOAK.killAfterMs[0]) : undefined;
          let killed = false;
          let hung = false;
          const killer = killAt === undefined ? undefined : setTimeout(() => ((killed = true), p.child.kill('SIGKILL')), killAt);
          const bound = setTimeout(() => ((hung = true), p.child.kill('SIGKILL')), SOAK.runBoundMs);
          const ended = await p.exited;
          clearTimeout(killer);
          clearTimeout(bound);
          if (hung) outcome.hung++;
          outcome.history.push(`run ${run}: ${hung ? 'HUNG, killed' : killed && ended.signal ? `killed at ${Math.round(killAt!)} ms` : `exit ${ended.code}`}`);
          if (killed && ended.signal === 'SIGKILL') {
            outcome.kills++;
            continue;
          }
          outcome.exitCode = ended.code;
          outcome.lastStderr = p.stderr();
          break;
        }
        return outcome;
      };
      const outcomes: WorkflowOutcome[] = new Array(SOAK.workflows);
      let next = 0;
      await Promise.all(
        Array.from({ length: SOAK.parallel }, async () => {
          while (next < SOAK.workflows) {
            const w = next++;
            outcomes[w] = await runWorkflow(w);
          }
        }),
      );

      // The audit: every accepted submit against the ledger files of its workflow.
      const log = await connectSimulator(sim.url).submits();
      const tally = { stored: 0, partial: 0, unfetched: 0, unknown: 0, unknownNeverSent: 0, expired: 0, lost: 0, failed: 0 };
      const problems: string[] = [];
      const troubled = new Set<number>();
      const records = await Promise.all(outcomes.map((o) => ledgerRecords(o.cacheDir)));
      const matched = new Set<string>();
      for (const submit of log.submits) {
        const node = byHash.get(submit.inputHash);
        if (!node) {
          problems.push(`submit ${submit.requestId}: input matches no planned node`);
          continue;
        }
        const mine = records[node.workflow]!.filter((r) => r.nodeId === node.nodeId && r.sent.prompt === node.prompt);
        const record =
          mine.find((r) => r.requestId === submit.requestId) ?? mine.find((r) => r.state === 'unknown-submission' && !r.requestId && !matched.has(r.jobId));
        if (!record) {
          troubled.add(node.workflow);
          problems.push(`submit ${submit.requestId} (${node.prompt}, reply ${submit.reply}): no ledger record`);
          continue;
        }
        matched.add(record.jobId);
        const verdict = await audit(record, outcomes[node.workflow]!);
        if ('problem' in verdict) {
          troubled.add(node.workflow);
          problems.push(`${node.prompt}: ${verdict.problem}`);
        } else tally[verdict.kind]++;
      }
      for (const [w, rs] of records.entries()) {
        for (const r of rs) {
          if (matched.has(r.jobId)) continue;
          // Killed between writing the intent and sending it: reported like any unknown submission, never paid.
          if (r.state === 'unknown-submission' && !r.requestId) tally.unknownNeverSent++;
          else if (r.state !== 'unknown-submission') {
            troubled.add(w);
            problems.push(`workflow ${w}: record ${r.jobId} (${r.state}) has no accepted submit`);
          }
        }
      }

      const figures = {
        plannedJobs: planned.length,
        acceptedSubmits: log.submits.length,
        duplicates: log.duplicates,
        runs: outcomes.reduce((n, o) => n + o.runs, 0),
        kills: outcomes.reduce((n, o) => n + o.kills, 0),
        reRuns: outcomes.reduce((n, o) => n + o.runs - 1, 0),
        hung: outcomes.reduce((n, o) => n + o.hung, 0),
        exitCodes: outcomes.map((o) => o.exitCode).join(','),
        ...tally,
        submitReplies: countBy(log.submits, (s: SubmitRecord) => s.reply),
        wallSeconds: Math.round((Date.now() - t0) / 1000),
      };
      console.log(`soak figures: ${JSON.stringify(figures)}`);
      const diagnosis = [...troubled].map(
        (w) => `workflow ${w}: ${outcomes[w]!.history.join('; ')}\n${outcomes[w]!.lastStderr.split('\n').slice(-40).join('\n')}`,
      );
      expect(problems, diagnosis.join('\n\n')).toEqual([]);
      expect(figures.duplicates).toBe(0);
      expect(figures.hung).toBe(0);
      expect(outcomes.every((o) => o.exitCode !== null)).toBe(true);
    },
    15 * 60_000,
  );
});

/** Per planned node, the input hash its submit carries (the provider's own wire input). */
async function expectedHashes(planned: PlannedNode[], refBytes: Uint8Array): Promise<Map<string, PlannedNode>> {
  const assets = new MemoryAssetStore();
  const ref = await assets.put(refBytes, { name: 'ref.png' });
  const provider = new RunComfyProvider({
    client: new RunComfyClient({ baseUrl: 'http://127.0.0.1:9/v1', token: 'unused' }),
    assets,
    fetchReference: () => Promise.reject(new Error('no https references in the soak')),
  });
  const map = new Map<string, PlannedNode>();
  for (const node of planned) {
    const prepared = await provider.prepare(
      { model: SEEDREAM_MODEL_ID, prompt: node.prompt, references: [ref], params: { maxImages: 2, resolution: '2K', seed: node.seed }, maxOutputs: 2 },
      new AbortController().signal,
    );
    map.set(submitInputHash((prepared.payload as RunComfyPayload).input), node);
  }
  return map;
}

type Outcome = 'stored' | 'partial' | 'unfetched' | 'unknown' | 'expired' | 'lost' | 'failed';
type Verdict = { kind: Outcome } | { problem: string };

/** Stored with every image on disk, or reported with its ids and a reason; anything else is a problem. */
async function audit(r: JobRecord, o: WorkflowOutcome): Promise<Verdict> {
  const named = o.lastStderr.includes(r.jobId) || (r.requestId !== undefined && o.lastStderr.includes(r.requestId));
  const reported = (kind: Outcome): Verdict =>
    named ? { kind } : { problem: `${kind} job ${r.jobId} (request ${r.requestId ?? 'unknown'}) is not named by the last run` };
  switch (r.state) {
    case 'stored': {
      const missingFiles = r.outputs.filter(
        (x) => x.assetId !== undefined && !existsSync(join(o.cacheDir, 'assets', `${x.assetId}.${extensionOf(x.mime ?? 'image/png')}`)),
      );
      if (missingFiles.length) return { problem: `request ${r.requestId}: ${missingFiles.length} stored image(s) not on disk` };
      return r.partial ? reported('partial') : { kind: 'stored' };
    }
    case 'completed':
      if (r.partial) return reported('partial');
      // The run ended (its settle time ran out under download faults) before fetching: said on the
      // line naming the request, with how to collect it free; anything less is a problem.
      return o.lastStderr
        .split('\n')
        .some((line) => r.requestId !== undefined && line.includes(r.requestId) && /not fetched/.test(line) && /Run again/.test(line))
        ? { kind: 'unfetched' }
        : { problem: `request ${r.requestId} finished but was never fetched, and nothing says so` };
    case 'unknown-submission':
      return reported('unknown');
    case 'outputs-expired':
      return reported('expired');
    case 'lost':
      return reported('lost');
    case 'failed':
    case 'cancelled':
      return r.error ? { kind: 'failed' } : { problem: `request ${r.requestId} ${r.state} without a reason` };
    default:
      return { problem: `request ${r.requestId ?? r.jobId} left ${r.state} (still in flight) when its workflow was done` };
  }
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

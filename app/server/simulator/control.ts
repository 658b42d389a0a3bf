import { z } from 'zod';
import type { Chaos } from './chaos';
import type { FaultBook } from './fault-book';
import { zFault } from './faults';
import type { HoldBook } from './holds';
import { json, type Reply } from './http';
import type { JobStore } from './jobs';
import { applySettingsPatch, zSimulatorSettingsPatch, type SimulatorSettings } from './settings';
import type { SubmitLog } from './submit-log';

export interface SimulatorCounts {
  /** Submits received (every POST to the model route, whatever became of it). */
  submits: number;
  /** Jobs actually created (= accepted submits). */
  jobsCreated: number;
  /** Accepted submits whose input repeats an earlier accepted submit's (see `sim.submits()`). */
  duplicateSubmits: number;
  /** Answers held right now. */
  held: number;
  /** Requests per route, counted before auth and faults. */
  requests: Record<'submit' | 'catalog' | 'status' | 'result' | 'cancel' | 'file', number>;
  /** Scripted faults that struck a request. */
  faultsFired: number;
  /** Faults chaos mode injected. */
  chaosFired: number;
}

export interface ControlContext {
  jobs: JobStore;
  faults: FaultBook;
  holds: HoldBook;
  submits: SubmitLog;
  chaos: Chaos;
  counts: SimulatorCounts;
  settings: () => SimulatorSettings;
  setSettings: (next: SimulatorSettings) => void;
}

const zFaults = z.union([zFault, z.array(zFault)]);
const zRelease = z.strictObject({ requestId: z.string().min(1) });

function parseJson<T>(schema: z.ZodType<T>, body: Uint8Array, empty?: T): { ok: true; value: T } | { ok: false; reply: Reply } {
  if (body.length === 0 && empty !== undefined) return { ok: true, value: empty };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return { ok: false, reply: json(400, { error_message: 'The request body is not valid JSON.' }) };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reply: json(422, { error_message: 'Invalid control request.', detail: z.prettifyError(parsed.error) }) };
}

/** `POST /jobs/:id/expire` and `/jobs/:id/expire-files`. */
function jobAction(ctx: ControlContext, path: string): Reply | undefined {
  const m = /^\/jobs\/([^/]+)\/(expire|expire-files)$/.exec(path);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return json(404, { error_message: 'Malformed request id.' });
  }
  if (!ctx.jobs.get(id)) return json(404, { error_message: `No simulated job ${id}.` });
  if (m[2] === 'expire') ctx.jobs.forget(id);
  else ctx.jobs.expireFiles(id);
  return json(200, { request_id: id, [m[2] === 'expire' ? 'expired' : 'filesExpired']: true });
}

/**
 * `/_simulator/*`: scripting a standalone simulator over HTTP (e2e tests, a CLI in another
 * process). `GET /` state · `POST /faults` push one fault or a list · `PUT /faults/defaults`
 * replace the server-level faults · `DELETE /faults` clear · `PATCH /settings` change behaviour ·
 * `GET /submits` accepted submits with input hashes · `GET /held` held answers · `POST /release`
 * `{requestId: id | 'all'}` (empty body: all) · `GET /chaos` injected faults ·
 * `POST /jobs/:id/expire` · `POST /jobs/:id/expire-files`. Not part of RunComfy's API; no auth.
 */
export function handleControl(ctx: ControlContext, method: string, path: string, body: Uint8Array): Reply {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /': {
      const held = new Set(ctx.holds.list().map((h) => h.requestId));
      return json(200, {
        counts: ctx.counts,
        settings: ctx.settings(),
        pendingFaults: ctx.faults.pending(),
        serverFaults: ctx.faults.serverDefaults(),
        jobs: ctx.jobs.list().map((j) => ({ request_id: j.id, phase: j.phase, images: j.imageCount, replyHeld: held.has(j.id), fault: j.fault ?? null })),
      });
    }
    case 'POST /faults':
    case 'PUT /faults/defaults': {
      const parsed = parseJson(zFaults, body);
      if (!parsed.ok) return parsed.reply;
      const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      if (method === 'POST') ctx.faults.push(...list);
      else ctx.faults.setDefaults(list);
      return json(200, { pendingFaults: ctx.faults.pending(), serverFaults: ctx.faults.serverDefaults() });
    }
    case 'DELETE /faults':
      ctx.faults.clear();
      return json(200, { pendingFaults: [], serverFaults: [] });
    case 'PATCH /settings': {
      const parsed = parseJson(zSimulatorSettingsPatch, body);
      if (!parsed.ok) return parsed.reply;
      ctx.setSettings(applySettingsPatch(ctx.settings(), parsed.value));
      return json(200, { settings: ctx.settings() });
    }
    case 'GET /submits':
      return json(200, { submits: ctx.submits.list(), duplicates: ctx.submits.duplicates, repeated: ctx.submits.repeated() });
    case 'GET /held':
      return json(200, { held: ctx.holds.list() });
    case 'POST /release': {
      const parsed = parseJson(zRelease, body, { requestId: 'all' });
      if (!parsed.ok) return parsed.reply;
      return json(200, { released: ctx.holds.release(parsed.value.requestId) });
    }
    case 'GET /chaos':
      return json(200, { chaos: ctx.settings().chaos, log: ctx.chaos.log() });
  }
  const action = method === 'POST' ? jobAction(ctx, path) : undefined;
  return action ?? json(404, { error_message: `Unknown simulator control route: ${route}.` });
}

import { z } from 'zod';
import { zFault, type FaultBook } from './faults';
import { json, type Reply } from './http';
import type { JobStore } from './jobs';
import { applySettingsPatch, zSimulatorSettingsPatch, type SimulatorSettings } from './settings';

export interface SimulatorCounts {
  /** Submits received (every POST to the model route, whatever became of it). */
  submits: number;
  /** Jobs actually created. */
  jobsCreated: number;
  /** Requests per route, counted before auth and faults. */
  requests: Record<'submit' | 'catalog' | 'status' | 'result' | 'cancel' | 'file', number>;
  /** Faults that struck a request. */
  faultsFired: number;
}

export interface ControlContext {
  jobs: JobStore;
  faults: FaultBook;
  counts: SimulatorCounts;
  settings: () => SimulatorSettings;
  setSettings: (next: SimulatorSettings) => void;
}

const zFaults = z.union([zFault, z.array(zFault)]);

function parseJson<T>(schema: z.ZodType<T>, body: Uint8Array): { ok: true; value: T } | { ok: false; reply: Reply } {
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

/**
 * `/_simulator/*`: scripting a standalone simulator over HTTP (e2e tests, demos).
 * `GET /` state · `POST /faults` push one fault or a list · `DELETE /faults` clear ·
 * `PATCH /settings` change latency/behaviour. Not part of RunComfy's API; no auth.
 */
export function handleControl(ctx: ControlContext, method: string, path: string, body: Uint8Array): Reply {
  if (path === '/' && method === 'GET') {
    return json(200, {
      counts: ctx.counts,
      settings: ctx.settings(),
      pendingFaults: ctx.faults.pending(),
      jobs: ctx.jobs.list().map((j) => ({ request_id: j.id, phase: j.phase, images: j.imageCount, fault: j.fault ?? null })),
    });
  }
  if (path === '/faults' && method === 'POST') {
    const parsed = parseJson(zFaults, body);
    if (!parsed.ok) return parsed.reply;
    ctx.faults.push(...(Array.isArray(parsed.value) ? parsed.value : [parsed.value]));
    return json(200, { pendingFaults: ctx.faults.pending() });
  }
  if (path === '/faults' && method === 'DELETE') {
    ctx.faults.clear();
    return json(200, { pendingFaults: [] });
  }
  if (path === '/settings' && method === 'PATCH') {
    const parsed = parseJson(zSimulatorSettingsPatch, body);
    if (!parsed.ok) return parsed.reply;
    ctx.setSettings(applySettingsPatch(ctx.settings(), parsed.value));
    return json(200, { settings: ctx.settings() });
  }
  return json(404, { error_message: 'Unknown simulator control route.' });
}

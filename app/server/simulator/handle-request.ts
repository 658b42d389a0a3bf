import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../lib/clock';
import { MAX_REQUEST_BODY_BYTES } from '../../model/seedream';
import type { Chaos } from './chaos';
import { handleControl, type ControlContext, type SimulatorCounts } from './control';
import type { FaultBook } from './fault-book';
import { defaultFaultBody, isResponseFault, retryAfterHeaders, type ResponseFault } from './faults';
import type { HoldBook } from './holds';
import { json, readBody, sendReply, type Reply } from './http';
import type { JobStore } from './jobs';
import { handleApiRoute, matchRoute, type RouteContext } from './routes';
import type { SimulatorSettings } from './settings';
import type { SubmitLog, SubmitReply } from './submit-log';

/** Everything one request may touch. */
export interface RequestDeps {
  clock: Clock;
  /** Aborted when the simulator closes: ends delays, bounded hangs and holds. */
  shutdown: AbortSignal;
  basePath: string;
  token: string | undefined;
  controlRoutes: boolean;
  faults: FaultBook;
  chaos: Chaos;
  holds: HoldBook;
  jobs: JobStore;
  submits: SubmitLog;
  counts: SimulatorCounts;
  routes: RouteContext;
  control: ControlContext;
  settings: () => SimulatorSettings;
  /** The simulator's wall time (ms since 1970), for HTTP-dates. */
  wallNow: () => number;
}

/** The request handler: routing, auth, then scripted faults (else chaos), then the route. */
export function createRequestHandler(d: RequestDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const scaled = (ms: number) => ms * d.settings().timeScale;

  /** A signal that aborts when the simulator closes or this response's connection goes away. */
  function untilGone(res: ServerResponse): AbortSignal {
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    return AbortSignal.any([gone.signal, d.shutdown]);
  }

  /** Plays a response fault; true when it answered (or killed, or abandoned) the request. */
  async function strike(fault: ResponseFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'http': {
        const retry = fault.retryAfter ? retryAfterHeaders(fault.retryAfter.seconds, fault.retryAfter.form ?? 'delta-seconds', d.wallNow()) : {};
        sendReply(res, json(fault.status, fault.body ?? defaultFaultBody(fault.status), { ...fault.headers, ...retry }));
        return true;
      }
      case 'error-code-200':
        sendReply(res, json(200, { error_code: fault.error_code, error_message: fault.error_message ?? `Simulated error ${fault.error_code}.` }));
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'hang':
        if (fault.ms !== undefined) {
          d.clock.sleep(scaled(fault.ms), untilGone(res)).then(
            () => req.socket.destroy(),
            () => undefined,
          );
        }
        return true;
      case 'delay':
        await d.clock.sleep(scaled(fault.ms), d.shutdown);
        return false;
    }
  }

  function authorized(req: IncomingMessage): boolean {
    const got = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${d.token}`);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** Sends the route's answer, noting whether an accepted submit's id went out or was lost. */
  function send(res: ServerResponse, reply: Reply, fate: (r: SubmitReply) => void): void {
    res.once('finish', () => fate('sent'));
    res.once('close', () => fate('lost'));
    sendReply(res, reply);
  }

  return async function onRequest(req, res) {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const match = matchRoute(method, url.pathname, d.basePath);
    if (match.kind === 'control') {
      if (!d.controlRoutes) return sendReply(res, json(404, { error_message: 'Not Found' }));
      return sendReply(res, handleControl(d.control, method, match.path, await readBody(req, 1024 * 1024)));
    }
    if (match.kind === 'api') {
      d.counts.requests[match.route] += 1;
      if (match.route === 'submit') d.counts.submits += 1;
    }
    const needsAuth = match.kind === 'api' ? match.route !== 'file' : match.underApi;
    if (needsAuth && d.token !== undefined && !authorized(req)) {
      return sendReply(res, json(401, { error_code: 400004, error_message: 'Missing, expired or revoked token.' }, { 'www-authenticate': 'Bearer' }));
    }
    if (match.kind === 'reply') return sendReply(res, match.reply);

    const outputIndex = match.frame === undefined ? undefined : match.frame - 1;
    const scripted = d.faults.take({ route: match.route, requestId: match.requestId, outputIndex });
    // Chaos draws for every eligible request, so a scripted fault does not shift its sequence.
    const random = d.chaos.draw(match.route, match.requestId);
    const fault = scripted ?? random;
    if (scripted) d.counts.faultsFired += 1;
    else if (random) d.counts.chaosFired += 1;
    const hit = isResponseFault(fault) ? fault : undefined;
    const when = hit?.phase ?? 'after-body';
    if (hit && when === 'before-body' && (await strike(hit, req, res))) return;
    const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    if (hit && when === 'after-body' && (await strike(hit, req, res))) return;
    if (fault?.kind === 'expire') d.jobs.forget(match.requestId!);
    if (fault?.kind === 'expire-files') d.jobs.expireFiles(match.requestId!);
    const reply = handleApiRoute(d.routes, match, body, url.searchParams, fault);

    const accepted = match.route === 'submit' && reply.status === 200 ? (reply.json as { request_id?: string }).request_id : undefined;
    const fate = (r: SubmitReply) => {
      if (accepted !== undefined) d.submits.setReply(accepted, r);
    };
    if (hit && when === 'after-accept' && (await strike(hit, req, res))) return fate('lost');
    if (fault?.kind === 'hold') {
      fate('held');
      const requestId = accepted ?? match.requestId;
      const end = await d.holds.hold(
        { route: match.route, ...(requestId === undefined ? {} : { requestId }) },
        fault.ms === undefined ? undefined : scaled(fault.ms),
        res,
      );
      if (end === 'gone') return fate('lost');
    }
    send(res, reply, fate);
  };
}

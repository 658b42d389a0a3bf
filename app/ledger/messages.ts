import type { JobRecord } from './job-record';

/**
 * What the ledger says to people, in one place. Every sentence about money says only what is
 * known: "not billed" only when the provider said so, "will be billed" when it runs.
 */

const at = (ms: number | undefined) => (ms === undefined ? 'an unknown time' : new Date(ms).toISOString());
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const req = (r: JobRecord) => (r.requestId ? `request ${r.requestId}` : `job ${r.jobId}`);
/** `req` at the start of a sentence. */
const Req = (r: JobRecord) => (r.requestId ? `Request ${r.requestId}` : `Job ${r.jobId}`);

/** How a host tells the user to pay again for work an earlier attempt may have been billed for. */
export type RepayHint = (jobId: string) => string;

export const defaultRepayHint: RepayHint = (jobId) => `choose to pay again for job ${jobId}`;

export const ledgerMessages = {
  submitting: (r: JobRecord) => `Submitting to the paid API (job ${r.jobId})`,
  submitted: (r: JobRecord) => `Submitted as request ${r.requestId}`,
  queued: (r: JobRecord) => `Request ${r.requestId} is queued${r.queuePosition !== undefined ? ` (position ${r.queuePosition})` : ''}`,
  running: (r: JobRecord) => `Request ${r.requestId} is running`,
  reattaching: (r: JobRecord) => `Re-attaching to ${req(r)} (submitted ${at(r.submittedAt)}; not submitted again)`,
  joining: (r: JobRecord) => `The same work is already in flight as ${req(r)}: waiting for it instead of paying again`,
  watching: (r: JobRecord) => `The same work is being followed by another process (${r.owner?.id ?? 'unknown'}): waiting for it`,
  unknownState: (r: JobRecord, word: string | undefined) =>
    `The API reports a state this app does not know ("${word ?? '?'}") for ${req(r)}; it may be running and billed, so it is still being followed`,
  retrying: (r: JobRecord, what: string, waitMs: number) =>
    `${what} — still following ${req(r)} (it may be running and billed); next try in ${Math.max(1, Math.round(waitMs / 1000))} s`,
  cancelling: (r: JobRecord) => `Cancelling ${req(r)}…`,
  cancelled: (r: JobRecord) => `Cancelled at the API before it started — ${req(r)} is not billed`,
  cancelledElsewhere: (r: JobRecord) => `${Req(r)} was cancelled at the API (not by this run) — not billed`,
  notCancellable: (r: JobRecord, collecting: boolean) =>
    `Could not cancel: ${req(r)} is already running — it will be billed.${collecting ? ' Its images are still collected.' : ' Run again to collect its images without paying twice.'}`,
  cancelUnanswered: (r: JobRecord, why: string, collecting: boolean) =>
    `The cancel of ${req(r)} was not confirmed (${why}): it may still run and be billed.${collecting ? ' Still collecting it.' : ' Run again to collect it without paying twice.'}`,
  runningCannotCancel: (r: JobRecord, collecting: boolean) =>
    `${Req(r)} is running and cannot be cancelled — it will be billed.${collecting ? ' Its images are still collected.' : ' Run again to collect its images without paying twice.'}`,
  deadline: (r: JobRecord, minutes: number) =>
    `Stopped waiting for ${req(r)} after ${minutes} min: it may still be running and billed. Run again to collect it (nothing is submitted again).`,
  detached: (r: JobRecord) => `Stopped following ${req(r)}: it may still be running and billed. Run again to collect it (nothing is submitted again).`,
  failed: (r: JobRecord, why: string) =>
    `The API reports that ${req(r)} failed: ${why}. Check the images and the prompt, then run again (a new request). Whether failed requests are billed is not documented.`,
  noOutputs: (r: JobRecord) => `The API reports ${req(r)} succeeded but returned no images.`,
  lost: (r: JobRecord) => `${Req(r)} is no longer known to the API (deleted or expired): its images are lost. It was not resubmitted.`,
  storedImage: (done: number, total: number) => `Stored image ${done} of ${total}`,
  partial: (r: JobRecord) => {
    const missing = r.outputs.filter((o) => o.assetId === undefined);
    const list = missing.map((o) => `#${o.index + 1} (${o.url})`).join(', ');
    return `${Req(r)} finished (billed) but ${plural(missing.length, 'image')} of ${r.outputs.length} could not be fetched: ${list}. The others are kept; fetching the missing ones again is free (nothing is submitted).`;
  },
  noneFetched: (r: JobRecord) =>
    `${Req(r)} finished (billed) but none of its ${plural(r.outputs.length, 'image')} could be fetched yet (${r.outputs.find((o) => o.error)?.error ?? 'no answer'}). Run again to fetch them for free (nothing is submitted again).`,
  refused: (why: string) => `The API refused the submit, so no job was created and nothing is billed: ${why}`,
  /** An earlier attempt of this same work blocks paying again until the user chooses to. */
  repayRequired: (r: JobRecord, hint: RepayHint) => {
    const sent = `sent ${at(r.createdAt)}: "${r.sent.prompt.slice(0, 80)}${r.sent.prompt.length > 80 ? '…' : ''}", ${plural(r.referenceHashes.length, 'reference')}, up to ${plural(r.maxOutputs, 'image')}`;
    switch (r.state) {
      case 'unknown-submission':
        return `An earlier submit of this work (job ${r.jobId}, ${sent}) may have been created and billed: its reply never arrived. It was not resent. Check your RunComfy request history; to pay again anyway, ${hint(r.jobId)}.`;
      case 'outputs-expired':
        return `Request ${r.requestId} (job ${r.jobId}) was billed, but its images expired before they could be fetched. To pay again for new images, ${hint(r.jobId)}.`;
      default:
        return `Request ${r.requestId ?? '?'} (job ${r.jobId}, ${sent}) is no longer known to the API and its images are lost; it may have been billed. To pay again, ${hint(r.jobId)}.`;
    }
  },
  orphanedIntent: (r: JobRecord) =>
    `The app stopped while submitting job ${r.jobId} (${at(r.createdAt)}): the submit may have been created and billed, and its request id is unknown. It is never resubmitted on its own.`,
};

import { z } from 'zod';
import { JOB_RECORD_VERSION, type JobRecord } from './job-record';

/**
 * The request journal of earlier versions (`<cache-dir>/journal/<request id>.json`, and the
 * IndexedDB `journal` store): one entry per paid request id in flight. Its entries become ledger
 * records on upgrade, so no request id an earlier version recorded is lost.
 */
export const zOldJournalEntry = z.object({
  requestId: z.string().min(1),
  nodeId: z.string(),
  cacheKey: z.string(),
  submittedAt: z.number(),
  request: z.object({
    references: z.number().int(),
    prompt: z.string(),
    maxImages: z.number().int(),
    resolution: z.string(),
    seed: z.number().int(),
  }),
  status: z.enum(['in-flight', 'lost']),
  message: z.string().optional(),
});
export type OldJournalEntry = z.infer<typeof zOldJournalEntry>;

/** The ledger record of an old journal entry; `endpoint` is where this host sends jobs now. */
export function recordFromJournalEntry(entry: OldJournalEntry, endpoint: string): JobRecord {
  const { prompt, maxImages, resolution, seed, references } = entry.request;
  return {
    v: JOB_RECORD_VERSION,
    jobId: `journal-${entry.requestId}`,
    rev: 0,
    provider: 'runcomfy',
    endpoint,
    model: 'bytedance/seedream-4-5/edit-sequential',
    nodeId: entry.nodeId,
    cacheKey: entry.cacheKey,
    sent: { url: '', bodyBytes: 0, images: [], prompt, params: { maxImages, resolution, seed } },
    referenceHashes: Array.from({ length: references }, () => ''),
    maxOutputs: Math.max(1, maxImages),
    state: entry.status === 'lost' ? 'lost' : 'submitted',
    partial: false,
    requestId: entry.requestId,
    createdAt: entry.submittedAt,
    submittedAt: entry.submittedAt,
    updatedAt: entry.submittedAt,
    outputs: [],
    ...(entry.message ? { note: entry.message } : {}),
  };
}

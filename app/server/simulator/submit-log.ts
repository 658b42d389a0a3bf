import { stableHash } from '../../lib/hash';
import { zSeedreamInput, type SeedreamInput } from '../../model/seedream';

/** What became of the answer to an accepted submit (the one carrying its request id). */
export type SubmitReply = 'pending' | 'held' | 'sent' | 'lost';

/** One accepted submit: a job was created, so it was paid for. */
export interface SubmitRecord {
  /** 1-based order among accepted submits. */
  n: number;
  requestId: string;
  /** `stableHash` of the validated input (prompt, options, images): equal inputs, equal hashes. */
  inputHash: string;
  /** Clock time of acceptance. */
  at: number;
  /** The first accepted submit of the same input, when this one repeats it. */
  duplicateOf?: string;
  reply: SubmitReply;
}

/** The hash the simulator files a submit body under (unknown keys dropped, as the server does). */
export function submitInputHash(input: SeedreamInput): string {
  return stableHash(zSeedreamInput.parse(input));
}

/**
 * Every accepted submit with the hash of its input, so a test can prove that no input was paid
 * for twice ("never lose track"), and whether the client ever got each request id.
 */
export class SubmitLog {
  private readonly records: SubmitRecord[] = [];
  private readonly byId = new Map<string, SubmitRecord>();
  private readonly firstByHash = new Map<string, string>();

  record(requestId: string, input: SeedreamInput, at: number): SubmitRecord {
    const inputHash = stableHash(input);
    const first = this.firstByHash.get(inputHash);
    const rec: SubmitRecord = {
      n: this.records.length + 1,
      requestId,
      inputHash,
      at,
      ...(first === undefined ? {} : { duplicateOf: first }),
      reply: 'pending',
    };
    if (first === undefined) this.firstByHash.set(inputHash, requestId);
    this.records.push(rec);
    this.byId.set(requestId, rec);
    return rec;
  }

  setReply(requestId: string, reply: SubmitReply): void {
    const rec = this.byId.get(requestId);
    // A sent answer stays sent; a connection closing afterwards changes nothing.
    if (rec && rec.reply !== 'sent') rec.reply = reply;
  }

  list(): SubmitRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  /** Accepted submits that repeat an earlier input. */
  get duplicates(): number {
    return this.records.length - this.firstByHash.size;
  }

  /** Request ids per input hash, for the hashes submitted more than once. */
  repeated(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of this.records) (out[r.inputHash] ??= []).push(r.requestId);
    for (const [h, ids] of Object.entries(out)) if (ids.length < 2) delete out[h];
    return out;
  }
}

import type { GenerationRequest } from '../graph/generation';

/**
 * What the job ledger asks of a host of a paid model (RunComfy today, in `runcomfy/`; another
 * host of the same model would be one more folder implementing this). Every method does ONE
 * exchange: retrying, polling, deadlines and what to tell the user are the ledger's business.
 * Errors are `ApiError`s (see ./errors) with a code, `retryable` and `retryAfterMs`.
 */
export interface GenerationProvider {
  /** `runcomfy`: stable, recorded in ledger records. */
  readonly id: string;
  /**
   * Where jobs go (the API base URL). Ledger records and caches are namespaced by it: a
   * simulator's request ids mean nothing to RunComfy, and its images are not Seedream's.
   */
  readonly endpoint: string;
  /**
   * Resolves and checks everything before anything is paid: reference bytes decoded whole, https
   * references fetched once (size-capped) and checked, every contract rule. Throws an
   * `InvalidInputError` naming the field and the file; nothing is sent.
   */
  prepare(request: GenerationRequest, signal: AbortSignal): Promise<PreparedSubmit>;
  /**
   * Sends the paid submit once: no signal, because abandoning a submit in flight cannot un-create
   * the job, only lose its id. Resolves with the request id. Throws `unknown-submission` when it
   * may have been created (timeout/reset after sending, 5xx, 2xx without an id), never resending;
   * other codes mean it surely was not created (429 and connection-refused are `retryable`).
   */
  submit(prepared: PreparedSubmit): Promise<{ requestId: string }>;
  /**
   * One read of a job. `want: 'status'` while it may be queued (it gives the queue position);
   * `'result'` once it runs (the read that sees it finish brings the outputs).
   */
  read(requestId: string, want: 'status' | 'result', signal?: AbortSignal): Promise<JobObservation>;
  /** Asks to cancel. Only a queued job can be; `not_cancellable` means it runs and is billed. */
  cancel(requestId: string, signal?: AbortSignal): Promise<{ outcome: CancelOutcome }>;
  /** One download of one output URL (host rules, no token, size cap). */
  download(url: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The catalog price per output in USD, when the host publishes it. */
  priceUsd?(model: string, signal?: AbortSignal): Promise<number | undefined>;
}

export type CancelOutcome = 'cancelled' | 'not_cancellable' | 'unknown';

/**
 * What one read said, in neutral words. `terminal`: over, but this endpoint cannot say how (read
 * the result). `unrecognised`: a state word this client does not know (`rawState` has it): the
 * job may well be running and billed, so the ledger keeps polling.
 */
export type ObservedState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'terminal' | 'unrecognised';

export interface JobObservation {
  state: ObservedState;
  /** The provider's own word for the state. */
  rawState?: string;
  queuePosition?: number;
  /** On success: every output URL, in order. */
  outputUrls?: string[];
  /** What the job was charged in USD, when the answer says. */
  costUsd?: number;
  /** On failure: the provider's error as text, whatever its shape. */
  errorText?: string;
}

/** What a submit sends, without image bytes (data URIs summarised): kept in the ledger and in messages. */
export interface SentSummary {
  url: string;
  bodyBytes: number;
  /** Per reference: its https URL, or a summary such as `image/png data URI (123456 base64 characters)`. */
  images: string[];
  prompt: string;
  /** Model params as sent, in node terms. */
  params: Record<string, string | number | boolean>;
}

export interface PreparedSubmit {
  sent: SentSummary;
  /** Per reference: the SHA-256 of its bytes (hex), for the record (never the bytes). */
  referenceHashes: string[];
  /** Per reference: a label for messages (file name), when known. */
  referenceLabels: (string | undefined)[];
  /** Opaque to the ledger: what `submit` sends. */
  payload: unknown;
}

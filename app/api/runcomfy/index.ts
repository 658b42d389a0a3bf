/**
 * RunComfy's Model API for Seedream 4.5 Edit Sequential: `RunComfyProvider` (the
 * GenerationProvider the ledger uses) built on `RunComfyClient` (the wire client). Composition
 * roots build both; nothing else needs to know RunComfy's field names or state words.
 */
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUTS, estimateCostUsd, isLoopbackHost, RunComfyClient } from './client';
export type { ClientTimeouts, ReadOptions, RunComfyClientOptions, SubmittedJob } from './client';
export { DEFAULT_MAX_DOWNLOAD_BYTES, downloadOutput, isAllowedOutputUrl, type DownloadOptions } from './download';
export type { FetchLike } from './http';
export { checkImageBytes, checkImagePixels, checkSeedreamInput, toDataUri } from './input-checks';
export { observeResult, observeStatus, RunComfyProvider } from './provider';
export type { RunComfyPayload, RunComfyProviderOptions } from './provider';
export type { FetchReference } from './references';
export type { CancelResult, CatalogInfo, JobResult, JobState, JobStatus } from './schemas';
export { checkSeedreamParams, zSeedreamParams, type SeedreamParams } from './seedream-wire';

import type { GenerationResult } from '../graph/generation';
import type { ImageRef } from '../graph/ports';
import type { JobRecord } from './job-record';

/** What a node gets from a stored (possibly partial) job: its stored images in order, and what is missing. */
export function resultOf(r: JobRecord, reused: boolean): GenerationResult {
  const images: ImageRef[] = [];
  const missing: GenerationResult['missing'] = [];
  for (const o of [...r.outputs].sort((a, b) => a.index - b.index)) {
    if (o.assetId !== undefined) {
      images.push({
        kind: 'asset',
        assetId: o.assetId,
        mime: o.mime ?? 'image/png',
        ...(o.width ? { width: o.width } : {}),
        ...(o.height ? { height: o.height } : {}),
        sourceUrl: o.url,
      });
    } else {
      missing.push({ index: o.index, url: o.url, reason: o.error ?? 'not fetched yet' });
    }
  }
  return {
    jobId: r.jobId,
    requestId: r.requestId ?? '',
    images,
    missing,
    outputUrls: r.outputs.map((o) => o.url),
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
    reused,
  };
}

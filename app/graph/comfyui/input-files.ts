import { z } from 'zod';
import type { Workflow } from '../workflow-schema';

/**
 * `meta.comfyui` of an imported workflow: where it came from, and the files its Load Image
 * nodes asked for by name in ComfyUI's input folder. Those nodes are left without an image (a
 * file name cannot be resolved here), so the editor and the CLI can say which file to give.
 */
export const zComfyImportMeta = z.object({
  format: z.enum(['ui', 'api']),
  inputFiles: z.array(z.object({ node: z.string(), file: z.string() })).max(5_000),
});
export type ComfyImportMeta = z.infer<typeof zComfyImportMeta>;
export type ComfyInputFile = ComfyImportMeta['inputFiles'][number];

export const comfyInputFilesMeta = (format: 'ui' | 'api', inputFiles: ComfyInputFile[]): ComfyImportMeta => ({ format, inputFiles });

/**
 * The ComfyUI input files a workflow still needs: each names a Load Image node that still has
 * no image. Empty for workflows that were not imported from ComfyUI.
 */
export function comfyInputFiles(workflow: Workflow): ComfyInputFile[] {
  const meta = zComfyImportMeta.safeParse(workflow.meta.comfyui);
  if (!meta.success) return [];
  const unset = new Set(workflow.nodes.filter((n) => n.kind === 'image.load' && (n.params.image ?? null) === null).map((n) => n.id));
  return meta.data.inputFiles.filter((f) => unset.has(f.node));
}

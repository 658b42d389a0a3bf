import type { ReactNode } from 'react';
import { z } from 'zod';
import type { WorkflowNode } from '../../graph/workflow-schema';

/** What the ComfyUI importer keeps in a placeholder's params (app/graph/comfyui/counterparts.ts placeholderParams). */
const zComfyOrigin = z.object({ comfyui: z.object({ type: z.string().min(1), id: z.union([z.string().min(1), z.number()]) }) });

/** The ComfyUI node a placeholder stands for (its class type and id), or undefined for any other unknown kind. */
export function comfyOrigin(params: unknown): { type: string; id: string } | undefined {
  const parsed = zComfyOrigin.safeParse(params);
  return parsed.success ? { type: parsed.data.comfyui.type, id: String(parsed.data.comfyui.id) } : undefined;
}

/**
 * A node whose kind is not in the registry, kept so nothing of the user's is lost. One imported
 * from ComfyUI says what it was there (title, class type, id), so the user can tell which
 * ComfyUI node has no counterpart; any other says which kind is unknown.
 */
export function PlaceholderNode({ node, className, marks }: { node: WorkflowNode; className: string; marks: ReactNode }) {
  const origin = comfyOrigin(node.params);
  // Named as the import report names it: “title” (Type #id), or Type #id when it has no title of its own.
  const titled = node.title && node.title !== origin?.type;
  return (
    <div className={`${className} unknown-kind`} data-testid={`node-${node.id}`}>
      <div className="node-header">
        <span className="node-title">{node.title ?? node.kind}</span>
        {marks}
      </div>
      {origin && (
        <div className="placeholder-origin" data-testid={`placeholder-origin-${node.id}`}>
          In ComfyUI:{' '}
          {titled ? (
            <>
              “{node.title}” (<code>{origin.type}</code> #{origin.id})
            </>
          ) : (
            <>
              <code>{origin.type}</code> #{origin.id}
            </>
          )}
          .
        </div>
      )}
      <div className="node-issues">
        <div className="issue error">
          {origin ? 'No counterpart here: kept as a placeholder, it cannot run.' : `Unknown node kind “${node.kind}”: kept as a placeholder, it cannot run.`}
        </div>
      </div>
    </div>
  );
}

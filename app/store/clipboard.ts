import { z } from 'zod';
import { zWorkflowEdge, zWorkflowNode, type Workflow, type WorkflowEdge, type WorkflowNode } from '../graph/workflow-schema';
import { loadWorkflow } from '../graph/load-workflow';
import type { NodeRegistry } from '../graph/registry';
import { extractFragment, type XY } from './graph-ops';

/** Marks clipboard JSON as ours, so pasting other JSON does nothing surprising. */
export const CLIPBOARD_TYPE = 'sequence-studio/fragment';

/** Copied nodes and the links between them, as JSON on the system clipboard (works across tabs). */
export const zClipboardFragment = z.object({
  type: z.literal(CLIPBOARD_TYPE),
  version: z.literal(1),
  nodes: z.array(zWorkflowNode).max(5_000),
  edges: z.array(zWorkflowEdge).max(20_000),
});
export type ClipboardFragment = z.infer<typeof zClipboardFragment>;

/** The clipboard text for the given nodes, or undefined when none of them exist. */
export function serializeSelection(workflow: Workflow, ids: ReadonlySet<string>): string | undefined {
  const { nodes, edges } = extractFragment(workflow, ids);
  if (nodes.length === 0) return undefined;
  const fragment: ClipboardFragment = { type: CLIPBOARD_TYPE, version: 1, nodes, edges };
  return JSON.stringify(fragment);
}

/**
 * Reads clipboard text as nodes to paste: our fragment format, or a whole workflow file (its
 * nodes are pasted). Undefined for anything else.
 */
export function parseClipboardText(text: string, registry: NodeRegistry): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const fragment = zClipboardFragment.safeParse(data);
  if (fragment.success) return { nodes: fragment.data.nodes, edges: fragment.data.edges };
  const loaded = loadWorkflow(data, registry);
  return loaded.ok && loaded.workflow.nodes.length ? { nodes: loaded.workflow.nodes, edges: loaded.workflow.edges } : undefined;
}

/** The offset that puts a fragment's top-left corner at `at`. */
export function offsetTo(nodes: readonly WorkflowNode[], at: XY): XY {
  const minX = Math.min(...nodes.map((n) => n.position.x));
  const minY = Math.min(...nodes.map((n) => n.position.y));
  return { x: at.x - minX, y: at.y - minY };
}

import { findPath } from './cycles';
import type { EdgeLike, GraphLike } from './links';
import type { NodeDefinition } from './node-definition';
import { canConnectTypes, type PortSpec } from './ports';
import type { NodeRegistry } from './registry';
import type { PortRef } from './workflow-schema';

/** Why a link is refused; stable codes the UI can switch on. */
export type ConnectionRefusal = 'self-link' | 'unknown-node' | 'unknown-port' | 'type-mismatch' | 'input-occupied' | 'cycle';

export type ConnectionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: ConnectionRefusal; readonly message: string };

/** A proposed link from an output port to an input port. */
export interface ProposedConnection {
  readonly source: PortRef;
  readonly target: PortRef;
}

/** What the check needs from a workflow: node ids with kinds (and titles), and the existing edges. */
export interface ConnectionGraph extends GraphLike<EdgeLike> {
  readonly nodes: readonly { readonly id: string; readonly kind: string; readonly title?: string }[];
}

/**
 * Whether `connection` may be added to `workflow`: refusals are values with a reason code and a
 * sentence naming the ports and types, never exceptions (the editor calls this on every drag).
 * Checks, in order: self-link, unknown node, unknown port (or wrong side), port types,
 * an already-linked single input, and whether the link would close a cycle.
 */
export function validateConnection(workflow: ConnectionGraph, registry: NodeRegistry, connection: ProposedConnection): ConnectionCheck {
  const { source, target } = connection;
  // Nodes are named as people see them: their title (or their kind's), never their id.
  const name = (id: string) => {
    const node = workflow.nodes.find((n) => n.id === id);
    return `“${node?.title ?? (node ? registry.get(node.kind)?.title : undefined) ?? id}”`;
  };
  if (source.node === target.node) {
    return refuse('self-link', `${name(source.node)} cannot be linked to itself.`);
  }
  const sourceNode = workflow.nodes.find((n) => n.id === source.node);
  const targetNode = workflow.nodes.find((n) => n.id === target.node);
  if (!sourceNode || !targetNode) {
    const missing = !sourceNode ? source.node : target.node;
    return refuse('unknown-node', `There is no node "${missing}" in this workflow.`);
  }
  const sourceDef = registry.get(sourceNode.kind);
  const targetDef = registry.get(targetNode.kind);
  const out = findPort(sourceDef, 'outputs', source.port);
  if (typeof out === 'string') return refuse('unknown-port', out.replace('{node}', name(source.node)));
  const input = findPort(targetDef, 'inputs', target.port);
  if (typeof input === 'string') return refuse('unknown-port', input.replace('{node}', name(target.node)));

  if (!canConnectTypes(out.type, input.type)) {
    return refuse(
      'type-mismatch',
      `Output ${portName(out)} of ${name(source.node)} carries ${out.type}, but input ${portName(input)} of ${name(target.node)} takes ${input.type}.`,
    );
  }
  if (!input.multiple) {
    const existing = workflow.edges.find((e) => e.target.node === target.node && e.target.port === target.port);
    if (existing) {
      const from = sourceOf(registry, workflow, existing.source);
      return refuse(
        'input-occupied',
        `Input ${portName(input)} of ${name(target.node)} takes one link and is already linked from ${name(existing.source.node)}${from}; remove that link first.`,
      );
    }
  }
  // The new link closes a cycle exactly when the target already reaches the source.
  const back = findPath(workflow, target.node, source.node);
  if (back) {
    const loop = [source.node, ...back].map(name).join(' → ');
    return refuse('cycle', `Linking ${name(source.node)} to ${name(target.node)} would create a loop: ${loop}.`);
  }
  return { ok: true };
}

/** A port as the node shows it: `“Images”` (its label, else its name). */
const portName = (port: PortSpec) => `“${port.label ?? port.name}”`;

/** ` (output “Images”)`, naming which output of the source an existing link leaves from. */
function sourceOf(registry: NodeRegistry, workflow: ConnectionGraph, ref: PortRef): string {
  const node = workflow.nodes.find((n) => n.id === ref.node);
  const port = node ? registry.get(node.kind)?.outputs.find((p) => p.name === ref.port) : undefined;
  return ` (output ${port ? portName(port) : `“${ref.port}”`})`;
}

function refuse(reason: ConnectionRefusal, message: string): ConnectionCheck {
  return { ok: false, reason, message };
}

/** The port, or a sentence (with a `{node}` placeholder) saying why there is none. */
function findPort(def: NodeDefinition | undefined, side: 'inputs' | 'outputs', name: string): PortSpec | string {
  const what = side === 'inputs' ? 'input' : 'output';
  if (!def) return `{node} has an unknown kind, so its ${what} "${name}" cannot be checked.`;
  const port = def[side].find((p) => p.name === name);
  if (port) return port;
  const opposite = side === 'inputs' ? 'output' : 'input';
  if ((side === 'inputs' ? def.outputs : def.inputs).some((p) => p.name === name)) {
    return `"${name}" is an ${opposite} of {node}, not an ${what}.`;
  }
  const names = def[side].map((p) => `"${p.name}"`).join(', ') || 'none';
  return `{node} has no ${what} "${name}" (its ${what}s: ${names}).`;
}

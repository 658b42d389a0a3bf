import type { Issue } from '../graph/issues';
import { compareLinkOrder } from '../graph/links';
import type { NodeDefinition } from '../graph/node-definition';
import { canConnectTypes, type PortType } from '../graph/ports';
import type { Workflow, WorkflowEdge } from '../graph/workflow-schema';
import { nodeLabel } from './plan-params';

/** A checked link into a planned node's input. */
export interface PlannedLink {
  readonly edgeId: string;
  /** The input port of the node it feeds. */
  readonly port: string;
  readonly sourceNode: string;
  readonly sourcePort: string;
  readonly sourceType: PortType;
  readonly targetType: PortType;
}

export interface LinkCheck {
  /** Per node, per input port: its valid links in merge order. */
  readonly links: Map<string, Map<string, PlannedLink[]>>;
  /** Valid edges only, in file order (what topological order and run dependencies use). */
  readonly validEdges: WorkflowEdge[];
  readonly issues: Issue[];
  /** Nodes that cannot run because of their links (bad link in, too many, a required one missing). */
  readonly broken: Set<string>;
}

/**
 * Checks every edge against the definitions of the nodes it joins and every node's inputs
 * against its links. Invalid edges are dropped (reported once, on the node they feed), so one
 * bad link does not also surface as a "required input missing".
 */
export function checkLinks(workflow: Workflow, defs: ReadonlyMap<string, NodeDefinition | undefined>): LinkCheck {
  const titled = new Map(workflow.nodes.map((n) => [n.id, n] as const));
  const label = (id: string) => nodeLabel(titled.get(id) ?? { id }, defs.get(id));
  const issues: Issue[] = [];
  const broken = new Set<string>();
  const hadDroppedLink = new Set<string>();
  const accepted: { edge: WorkflowEdge; link: PlannedLink }[] = [];

  for (const edge of workflow.edges) {
    const { source, target } = edge;
    const from = `"${source.node}.${source.port}"`;
    const report = (code: string, message: string, severity: Issue['severity'] = 'error') => {
      issues.push({ severity, code, message, nodeId: target.node, edgeId: edge.id, field: target.port });
      broken.add(target.node);
      hadDroppedLink.add(`${target.node}\u0000${target.port}`);
    };
    if (!defs.has(target.node)) {
      // A link into nothing harms nobody: report it so a save can drop it, but do not block.
      issues.push({
        severity: 'warning',
        code: 'unknown-node',
        nodeId: defs.has(source.node) ? source.node : undefined,
        edgeId: edge.id,
        field: source.port,
        message: `Link ${edge.id} from ${from} goes to a node "${target.node}" that does not exist.`,
      });
      continue;
    }
    if (!defs.has(source.node)) {
      report('unknown-node', `Input "${target.port}" of ${label(target.node)} is linked from a node "${source.node}" that does not exist.`);
      continue;
    }
    const sourceDef = defs.get(source.node);
    const targetDef = defs.get(target.node);
    if (!sourceDef || !targetDef) {
      // Unknown kinds are reported on the node itself; their ports cannot be checked.
      broken.add(target.node);
      hadDroppedLink.add(`${target.node}\u0000${target.port}`);
      continue;
    }
    const out = sourceDef.outputs.find((p) => p.name === source.port);
    if (!out) {
      report('unknown-port', `Input "${target.port}" of ${label(target.node)} is linked from ${from}, but ${sourceDef.title} has no output "${source.port}".`);
      continue;
    }
    const input = targetDef.inputs.find((p) => p.name === target.port);
    if (!input) {
      report('unknown-port', `${label(target.node)} has no input "${target.port}" (linked from ${from}).`);
      continue;
    }
    if (!canConnectTypes(out.type, input.type)) {
      report('type-mismatch', `Input "${target.port}" of ${label(target.node)} takes ${input.type}, but ${from} carries ${out.type}.`);
      continue;
    }
    accepted.push({
      edge,
      link: {
        edgeId: edge.id,
        port: target.port,
        sourceNode: source.node,
        sourcePort: source.port,
        sourceType: out.type,
        targetType: input.type,
      },
    });
  }

  const links = new Map<string, Map<string, PlannedLink[]>>();
  for (const { edge, link } of [...accepted].sort((a, b) => compareLinkOrder(a.edge, b.edge))) {
    let ports = links.get(edge.target.node);
    if (!ports) links.set(edge.target.node, (ports = new Map()));
    const list = ports.get(link.port);
    if (list) list.push(link);
    else ports.set(link.port, [link]);
  }

  for (const node of workflow.nodes) {
    const def = defs.get(node.id);
    if (!def) continue;
    for (const input of def.inputs) {
      const count = links.get(node.id)?.get(input.name)?.length ?? 0;
      const fail = (code: string, message: string) => {
        issues.push({ severity: 'error', code, message, nodeId: node.id, field: input.name });
        broken.add(node.id);
      };
      if (count > 1 && !input.multiple) {
        fail('input-occupied', `Input "${input.name}" of ${label(node.id)} takes one link but has ${count}; remove the extra links.`);
      } else if (count === 0 && !input.optional && !input.replacesParam && !hadDroppedLink.has(`${node.id}\u0000${input.name}`)) {
        fail('input-missing', `Input "${input.name}" (${input.type}) of ${label(node.id)} is required but not linked.`);
      }
    }
  }
  return { links, validEdges: accepted.map((a) => a.edge), issues, broken };
}

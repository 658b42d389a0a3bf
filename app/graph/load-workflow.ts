import { findExcessNesting, type JsonPath } from '../lib/json-nesting';
import { formatPath } from '../lib/zod-format';
import type { importComfyWorkflow } from './comfyui/import-comfy-workflow';
import { isComfyWorkflow } from './comfyui/detect';
import type { Issue } from './issues';
import { migrateWorkflowData } from './migrations';
import type { NodeRegistry } from './registry';
import { MAX_WORKFLOW_NESTING, zTemplateMeta, zWorkflow, type Workflow } from './workflow-schema';

/** Workflow files hold references, never image bytes, so anything this large is not one. */
export const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;

export type LoadResult =
  | {
      ok: true;
      workflow: Workflow;
      /** Warnings about what was repaired or kept as is (unknown kinds, dropped edges). */
      issues: Issue[];
      fromVersion: number;
      /** Names of the file migrations applied, in order. */
      migrations: string[];
      notes: string[];
    }
  | { ok: false; issues: Issue[] };

export interface LoadOptions {
  /** The ComfyUI importer, for callers that may be handed ComfyUI files (see load-any-workflow.ts). */
  importComfy?: typeof importComfyWorkflow;
}

const fail = (code: string, message: string): LoadResult => ({
  ok: false,
  issues: [{ severity: 'error', code, message }],
});

/**
 * Parse-and-migrate for anything claiming to be a workflow: JSON text or already-parsed data.
 * Migrates old schema versions step by step, validates the result, migrates node params of
 * older kind versions, and repairs what it safely can: dangling edges are dropped with a
 * warning; nodes of unknown kinds are kept (reported) so nothing of the user's is lost.
 * A ComfyUI workflow (UI or API format) is imported first when the caller hands over the importer
 * (`loadAnyWorkflow` loads it on demand): its report becomes the notes. Never throws on bad input.
 */
export function loadWorkflow(input: unknown, registry?: NodeRegistry, options: LoadOptions = {}): LoadResult {
  let raw = input;
  if (typeof input === 'string') {
    if (input.length > MAX_WORKFLOW_BYTES) {
      return fail(
        'file-too-large',
        `This file is ${(input.length / 1048576).toFixed(1)} MiB; workflow files are at most ${MAX_WORKFLOW_BYTES / 1048576} MiB (images are referenced, not embedded).`,
      );
    }
    try {
      raw = JSON.parse(input) as unknown;
    } catch (e) {
      return fail('not-json', `This file is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
    }
  }

  // Before anything walks the data (migrations, zod, later JSON.stringify on save): a value
  // nested thousands deep loads fine but overflows the stack when the paid result is saved.
  const tooDeep = nestingIssue(raw);
  if (tooDeep) return { ok: false, issues: [tooDeep] };

  let comfy: { report: string[]; placeholders: Set<string> } | undefined;
  if (isComfyWorkflow(raw)) {
    if (!registry) return fail('comfyui-workflow', 'This is a ComfyUI workflow; it can be imported only where the node kinds are known.');
    if (!options.importComfy) return fail('comfyui-needs-importer', 'This is a ComfyUI workflow: open it as a file (or with the CLI) to import it.');
    const imported = options.importComfy(raw, registry);
    if (!imported.ok) return fail(imported.code, imported.reason);
    comfy = { report: imported.report, placeholders: new Set(imported.placeholders) };
    raw = imported.workflow;
  }

  const migrated = migrateWorkflowData(raw);
  if (!migrated.ok) return fail('bad-version', migrated.message);

  const issues: Issue[] = [];
  const parsed = zWorkflow.safeParse(withoutBadTemplate(migrated.data, issues));
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.slice(0, 50).map((i) => ({
        severity: 'error' as const,
        code: 'bad-shape',
        message: `${formatPath(i.path) || 'workflow'}: ${i.message}`,
      })),
    };
  }

  const notes = [...(comfy?.report ?? []), ...migrated.notes];
  const workflow = parsed.data;
  const nodesById = new Map(workflow.nodes.map((n) => [n.id, n]));

  if (registry) {
    workflow.nodes = workflow.nodes.map((node) => {
      const def = registry.get(node.kind);
      // Placeholders of an import are already named in its report, by their ComfyUI titles.
      if (!def && comfy?.placeholders.has(node.id)) return node;
      if (!def) {
        issues.push({
          severity: 'warning',
          code: 'unknown-kind',
          nodeId: node.id,
          message: `Node "${node.id}" is of kind "${node.kind}", which this version does not know. It is kept as a placeholder and cannot run.`,
        });
        return node;
      }
      if (node.kindVersion < def.version && def.migrateParams) {
        const params = def.migrateParams(node.kindVersion, node.params);
        notes.push(`Node "${node.id}" (${node.kind}) upgraded from version ${node.kindVersion} to ${def.version}.`);
        const upgraded = { ...node, kindVersion: def.version, params };
        nodesById.set(node.id, upgraded);
        return upgraded;
      }
      return node;
    });
  }

  workflow.edges = workflow.edges.filter((edge) => {
    const problem = danglingReason(edge.source, 'outputs') ?? danglingReason(edge.target, 'inputs');
    if (problem) {
      issues.push({
        severity: 'warning',
        code: 'dangling-edge',
        edgeId: edge.id,
        message: `Link "${edge.id}" was removed: ${problem}.`,
      });
    }
    return !problem;
  });

  if (workflow.groups) workflow.groups = repairGroups(workflow, issues);

  return { ok: true, workflow, issues, fromVersion: migrated.fromVersion, migrations: migrated.applied, notes };

  function danglingReason(ref: { node: string; port: string }, side: 'inputs' | 'outputs'): string | undefined {
    const node = nodesById.get(ref.node);
    if (!node) return `node "${ref.node}" does not exist`;
    const def = registry?.get(node.kind);
    // Unknown kinds keep their links: we cannot tell which ports they have.
    if (def && !def[side].some((p) => p.name === ref.port)) {
      return `node "${ref.node}" (${def.title}) has no ${side === 'inputs' ? 'input' : 'output'} "${ref.port}"`;
    }
    return undefined;
  }
}

/**
 * Groups own nodes and notes by id: members that do not exist are dropped, and an item claimed
 * by two groups stays in the first (moving either would otherwise tear it from the other).
 */
function repairGroups(workflow: Workflow, issues: Issue[]): NonNullable<Workflow['groups']> {
  const items = new Set([...workflow.nodes.map((n) => n.id), ...(workflow.notes ?? []).map((n) => n.id)]);
  const claimed = new Set<string>();
  return (workflow.groups ?? []).map((group) => {
    const members = group.members.filter((id) => items.has(id) && !claimed.has(id));
    for (const id of members) claimed.add(id);
    if (members.length === group.members.length) return group;
    issues.push({
      severity: 'warning',
      code: 'group-member-dropped',
      message: `Group “${group.title || group.id}” listed ${group.members.length - members.length} item(s) that do not exist or belong to another group; they were left out of it.`,
    });
    return { ...group, members };
  });
}

/** Segments of a path shown in messages; deeper ones are elided. */
const SHOWN_PATH_SEGMENTS = 8;

/** An error naming where `raw` nests deeper than {@link MAX_WORKFLOW_NESTING}, or undefined. */
function nestingIssue(raw: unknown): Issue | undefined {
  const excess = findExcessNesting(raw, MAX_WORKFLOW_NESTING);
  if (!excess) return undefined;
  if (excess.kind === 'too-many') {
    return { severity: 'error', code: 'too-complex', message: `This workflow holds more than ${excess.limit} objects and arrays; it cannot be a workflow.` };
  }
  const { path } = excess;
  const shown = formatPath(path.slice(0, SHOWN_PATH_SEGMENTS)) + (path.length > SHOWN_PATH_SEGMENTS ? '…' : '');
  const limit = `more than ${MAX_WORKFLOW_NESTING} levels deep (at ${shown}); a workflow holds plain values and nests at most ${MAX_WORKFLOW_NESTING} levels, counted from the top of the file`;
  const node = nodeAt(raw, path);
  if (node) {
    const at = node.param === undefined ? `Node ${node.name}` : `The param "${node.param}" of node ${node.name}`;
    return {
      severity: 'error',
      code: 'too-deep',
      ...(node.id !== undefined ? { nodeId: node.id } : {}),
      ...(node.param !== undefined ? { field: node.param } : {}),
      message: `${at} nests ${limit}.`,
    };
  }
  if (path[0] === 'meta' && typeof path[1] === 'string') {
    return { severity: 'error', code: 'too-deep', message: `The meta field "${path[1]}" nests ${limit}.` };
  }
  return { severity: 'error', code: 'too-deep', message: `This file nests ${limit}.` };
}

/** The node (and param) a path into raw workflow data points into; v1 files keep params under `data`. */
function nodeAt(raw: unknown, path: JsonPath): { name: string; id?: string; param?: string } | undefined {
  const [top, index, ...rest] = path;
  if (top !== 'nodes' || typeof index !== 'number') return undefined;
  const nodes = (raw as { nodes?: unknown }).nodes as unknown[];
  const id = (nodes[index] as { id?: unknown } | undefined)?.id;
  const knownId = typeof id === 'string' && id.length <= 64 ? id : undefined;
  const name = knownId !== undefined ? `"${knownId}"` : `#${index + 1}`;
  const inParams = rest[0] === 'params' ? rest[1] : rest[0] === 'data' && rest[1] === 'params' ? rest[2] : undefined;
  return { name, ...(knownId !== undefined ? { id: knownId } : {}), ...(typeof inParams === 'string' ? { param: inParams } : {}) };
}

/**
 * A broken `meta.template` costs the template fields, not the workflow: the graph still opens
 * (as a plain workflow) and the warning says what was wrong with the fields.
 */
function withoutBadTemplate(data: Record<string, unknown>, issues: Issue[]): Record<string, unknown> {
  const meta = data.meta;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta) || !('template' in meta)) return data;
  const { template, ...rest } = meta as Record<string, unknown>;
  const checked = zTemplateMeta.safeParse(template);
  if (checked.success) return data;
  const first = checked.error.issues[0];
  const where = formatPath(['meta', 'template', ...(first?.path ?? [])]);
  issues.push({
    severity: 'warning',
    code: 'template-invalid',
    message: `The template fields were ignored (${where}: ${first?.message ?? 'invalid'}); the workflow itself opened.`,
  });
  return { ...data, meta: rest };
}

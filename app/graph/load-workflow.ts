import { formatPath } from '../lib/zod-format';
import type { Issue } from './issues';
import { migrateWorkflowData } from './migrations';
import type { NodeRegistry } from './registry';
import { zTemplateMeta, zWorkflow, type Workflow } from './workflow-schema';

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

const fail = (code: string, message: string): LoadResult => ({
  ok: false,
  issues: [{ severity: 'error', code, message }],
});

/**
 * Parse-and-migrate for anything claiming to be a workflow: JSON text or already-parsed data.
 * Migrates old schema versions step by step, validates the result, migrates node params of
 * older kind versions, and repairs what it safely can: dangling edges are dropped with a
 * warning; nodes of unknown kinds are kept (reported) so nothing of the user's is lost.
 * Never throws on bad input.
 */
export function loadWorkflow(input: unknown, registry?: NodeRegistry): LoadResult {
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

  const notes = [...migrated.notes];
  const workflow = parsed.data;
  const nodesById = new Map(workflow.nodes.map((n) => [n.id, n]));

  if (registry) {
    workflow.nodes = workflow.nodes.map((node) => {
      const def = registry.get(node.kind);
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

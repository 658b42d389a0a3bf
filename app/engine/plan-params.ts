import type { z } from 'zod';
import type { Issue } from '../graph/issues';
import type { NodeDefinition } from '../graph/node-definition';
import type { WorkflowNode } from '../graph/workflow-schema';
import { formatPath } from '../lib/zod-format';

export type ParamResolution = { ok: true; params: Record<string, unknown> } | { ok: false; issues: Issue[] };

/**
 * A saved node's params as its definition wants them: migrated from an older `kindVersion`
 * (through `def.migrateParams`), then parsed by the kind's zod schema (defaults filled).
 * Every failure is an issue naming the node and, where known, the param.
 */
export function resolveParams(node: WorkflowNode, def: NodeDefinition): ParamResolution {
  const label = nodeLabel(node, def);
  if (node.kindVersion > def.version) {
    return fail({
      code: 'kind-version-newer',
      nodeId: node.id,
      message:
        `${label} was saved by a newer version of "${def.kind}" (v${node.kindVersion}); this build ` +
        `knows v${def.version}. Update Sequence Studio to run it.`,
    });
  }
  let raw: Record<string, unknown> = node.params;
  if (node.kindVersion < def.version && def.migrateParams) {
    try {
      raw = def.migrateParams(node.kindVersion, { ...node.params });
    } catch (err) {
      return fail({
        code: 'migration-failed',
        nodeId: node.id,
        message: `${label}: its params could not be upgraded from v${node.kindVersion} to v${def.version}: ${errorText(err)}`,
      });
    }
  }
  const parsed = def.params.safeParse(raw);
  if (parsed.success) return { ok: true, params: parsed.data as Record<string, unknown> };
  return {
    ok: false,
    issues: parsed.error.issues.map((zi) => ({
      severity: 'error' as const,
      code: 'param-invalid',
      nodeId: node.id,
      field: zi.path.length ? String(zi.path[0]) : undefined,
      message: `${label}: ${describeZodIssue(zi, raw)}`,
    })),
  };
}

/** "field: what was wrong" for one zod issue, with the offending value when it is short. */
export function describeZodIssue(zi: z.core.$ZodIssue, root?: unknown): string {
  const path = formatPath(zi.path);
  let text = plainZodMessage(zi);
  const value = valueAt(root, zi.path);
  const shown = value === undefined ? undefined : JSON.stringify(value);
  if (shown !== undefined && shown.length <= 40 && zi.code !== 'unrecognized_keys') text += ` (got ${shown})`;
  return path ? `${path}: ${text}` : text;
}

/**
 * How issues and messages name a node, as a person would: the title the user gave it (quoted),
 * else its kind's title, else (an unknown kind) "Node <id>". Ids stay out of the sentence: the
 * editor shows an issue on its node and the CLI prints `[id]` before it.
 */
export function nodeLabel(node: { id: string; title?: string }, def?: NodeDefinition): string {
  if (node.title) return `“${node.title}”`;
  return def ? def.title : `Node ${node.id}`;
}

/** A thrown value's message, whatever was thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * zod's default English messages ("Too big: expected number to be <=15") rephrased as what the
 * value must be; messages a schema author wrote are kept as they are.
 */
function plainZodMessage(zi: z.core.$ZodIssue): string {
  const isDefault = /^(Too big|Too small|Invalid input|Invalid option):/.test(zi.message);
  if (isDefault) {
    switch (zi.code) {
      case 'too_big':
      case 'too_small': {
        const big = zi.code === 'too_big';
        const limit = Number(big ? zi.maximum : zi.minimum);
        if (zi.origin === 'string' && !big && limit === 1) return 'must not be empty';
        const bound = zi.inclusive ? (big ? 'at most' : 'at least') : big ? 'less than' : 'more than';
        const plural = limit === 1 ? '' : 's';
        if (zi.origin === 'array') return `must have ${bound} ${limit} item${plural}`;
        const unit = zi.origin === 'string' ? ` character${plural}` : '';
        return `must be ${bound} ${limit}${unit}`;
      }
      case 'invalid_type':
        return `must be ${/^[aeiou]/.test(zi.expected) ? 'an' : 'a'} ${zi.expected}`;
      case 'invalid_value':
        return `must be one of ${zi.values.map((v) => JSON.stringify(v)).join(', ')}`;
      default:
        break;
    }
  }
  return zi.message.charAt(0).toLowerCase() + zi.message.slice(1);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function fail(issue: Omit<Issue, 'severity'>): ParamResolution {
  return { ok: false, issues: [{ severity: 'error', ...issue }] };
}

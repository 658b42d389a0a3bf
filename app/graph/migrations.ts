import { CURRENT_SCHEMA_VERSION } from './workflow-schema';

/**
 * Save-file migrations: an ordered list of named steps, each taking the raw JSON of version
 * `from` to version `from + 1`. Steps work on untyped data (old shapes have no schema any
 * more) and must never throw on odd input: they copy what they do not understand, and the
 * current schema decides afterwards. Add a step (and a fixture file in test/fixtures/workflows)
 * for every schema change; never edit a published step.
 */
export interface MigrationStep {
  readonly name: string;
  readonly from: number;
  migrate(data: Record<string, unknown>, notes: string[]): Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Version 1 was the prototype's format: React Flow shaped (`type`, `data`, and edges with
 * `source`/`sourceHandle`/`target`/`targetHandle`), no kind versions, meta as `name` on top.
 */
const v1ToV2: MigrationStep = {
  name: 'v1-react-flow-shape-to-v2',
  from: 1,
  migrate(data, notes) {
    const nodes = Array.isArray(data.nodes) ? data.nodes : [];
    const edges = Array.isArray(data.edges) ? data.edges : [];
    const orderByTarget = new Map<string, number>();
    const out: Obj = {
      schemaVersion: 2,
      nodes: nodes.map((n: unknown) => {
        if (!isObj(n)) return n;
        const { type, data: nodeData, kind, kindVersion, params, ...rest } = n;
        const paramsFromData = isObj(nodeData) && isObj(nodeData.params) ? nodeData.params : nodeData;
        return {
          ...rest,
          kind: kind ?? type,
          kindVersion: kindVersion ?? 1,
          params: params ?? (isObj(paramsFromData) ? paramsFromData : {}),
        };
      }),
      edges: edges.map((e: unknown) => {
        if (!isObj(e)) return e;
        if (isObj(e.source)) return e; // already v2-shaped
        const target = `${String(e.target)}:${String(e.targetHandle)}`;
        const order = orderByTarget.get(target) ?? 0;
        orderByTarget.set(target, order + 1);
        return {
          id: e.id,
          source: { node: e.source, port: e.sourceHandle },
          target: { node: e.target, port: e.targetHandle },
          order,
        };
      }),
      meta: { ...(isObj(data.meta) ? data.meta : {}), ...(typeof data.name === 'string' ? { name: data.name } : {}) },
    };
    notes.push('Converted a version 1 (prototype) workflow to version 2.');
    return out;
  },
};

/**
 * Version 3 added optional fields only (node `mode`, `color`, `pinned`, `collapsed`; `notes` and
 * `groups`): a version 2 file means the same as version 3. The version moved so that builds
 * reading only version 2 refuse these files rather than drop a bypass and pay for the node.
 */
const v2ToV3: MigrationStep = {
  name: 'v2-to-v3-canvas-items',
  from: 2,
  migrate(data) {
    return { ...data, schemaVersion: 3 };
  },
};

/** Every step, in order. `MIGRATIONS[i].from === i + 1`. */
export const MIGRATIONS: readonly MigrationStep[] = [v1ToV2, v2ToV3];

export type MigrateResult = { ok: true; data: Obj; fromVersion: number; applied: string[]; notes: string[] } | { ok: false; message: string };

/**
 * Brings raw workflow JSON up to CURRENT_SCHEMA_VERSION, step by step. Refuses files from a
 * newer version (we cannot know their meaning) and files with no usable version.
 */
export function migrateWorkflowData(raw: unknown): MigrateResult {
  if (!isObj(raw)) return { ok: false, message: 'A workflow file holds a JSON object; this holds something else.' };
  // Files without schemaVersion but with nodes/edges are taken as version 1 (the prototype never wrote one).
  const declared = raw.schemaVersion ?? (Array.isArray(raw.nodes) ? 1 : undefined);
  if (typeof declared !== 'number' || !Number.isInteger(declared) || declared < 1) {
    return { ok: false, message: 'This is not a Sequence Studio workflow: "schemaVersion" is missing or not a whole number ≥ 1.' };
  }
  if (declared > CURRENT_SCHEMA_VERSION) {
    return {
      ok: false,
      message: `This workflow was saved by a newer Sequence Studio (schema ${declared}; this one reads up to ${CURRENT_SCHEMA_VERSION}). Update the app to open it.`,
    };
  }
  let data: Obj = raw;
  const applied: string[] = [];
  const notes: string[] = [];
  for (let v = declared; v < CURRENT_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v - 1];
    if (!step || step.from !== v) return { ok: false, message: `No migration from schema version ${v}.` };
    data = step.migrate(data, notes);
    applied.push(step.name);
  }
  return { ok: true, data, fromVersion: declared, applied, notes };
}

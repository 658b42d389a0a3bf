import { z } from 'zod';
import type { Workflow } from '../graph/workflow-schema';

/** Bumped (with a named migration in `parseSavedWorkflow`) when the stored shape changes. */
export const SAVED_WORKFLOW_VERSION = 1;

/** Longest name a saved workflow takes (the workflow's own name field allows as much). */
export const MAX_SAVED_NAME = 200;

/** A workflow the user saved by name (Ctrl+S): the library, apart from templates. */
export const zSavedWorkflow = z.object({
  v: z.literal(SAVED_WORKFLOW_VERSION),
  id: z.string().min(1),
  name: z.string().trim().min(1).max(MAX_SAVED_NAME),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Bumped by every save: saving over a newer revision (saved from another window) asks first. */
  revision: z.int().min(1),
  /** Raw workflow data: always opened through parse-and-migrate. */
  workflow: z.unknown(),
});
export type SavedWorkflow = z.infer<typeof zSavedWorkflow>;

/** The stored entry, or undefined when it is not one this version can read (kept, never deleted). */
export function parseSavedWorkflow(raw: unknown): SavedWorkflow | undefined {
  const parsed = zSavedWorkflow.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Where saved workflows live (IndexedDB in the browser). */
export interface WorkflowLibrary {
  /** Every readable entry, most recently saved first. */
  list(): Promise<SavedWorkflow[]>;
  get(id: string): Promise<SavedWorkflow | undefined>;
  put(entry: SavedWorkflow): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Saved workflows in memory (tests; browsers without storage). */
export class MemoryWorkflowLibrary implements WorkflowLibrary {
  readonly entries = new Map<string, SavedWorkflow>();
  async list() {
    return [...this.entries.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).map((e) => structuredClone(e));
  }
  async get(id: string) {
    const e = this.entries.get(id);
    return e && structuredClone(e);
  }
  async put(entry: SavedWorkflow) {
    this.entries.set(entry.id, structuredClone(entry));
  }
  async delete(id: string) {
    this.entries.delete(id);
  }
}

export function newSavedId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return `wf-${c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`}`;
}

const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** Why a save did not happen: the entry changed since it was opened, or another entry has the name. */
export type SaveRefusal = { ok: false; reason: 'changed' | 'name-taken'; other: SavedWorkflow };

export interface SaveRequest {
  workflow: Workflow;
  name: string;
  /** Save in place over this entry (Ctrl+S of a saved workflow); a new entry without it (Save as…). */
  id?: string;
  /** The revision this tab last saved or opened: a newer stored one is not overwritten unless `force`. */
  revision?: number;
  /** Overwrite: a newer revision, or the entry that has the name. */
  force?: boolean;
  now?: () => Date;
}

/**
 * Saves a workflow by name, with its name written into it. Never overwrites silently: saving in
 * place over a revision saved elsewhere since, or under a name another entry has, is refused
 * with that entry, and done only with `force` (the user chose to replace it).
 */
export async function saveToLibrary(library: WorkflowLibrary, req: SaveRequest): Promise<{ ok: true; entry: SavedWorkflow } | SaveRefusal> {
  const name = req.name.trim().slice(0, MAX_SAVED_NAME);
  if (!name) throw new Error('A saved workflow needs a name');
  const all = await library.list();
  const current = req.id ? all.find((e) => e.id === req.id) : undefined;
  const named = all.find((e) => e.id !== req.id && sameName(e.name, name));
  if (!req.force && current && req.revision !== undefined && current.revision > req.revision) return { ok: false, reason: 'changed', other: current };
  if (!req.force && named) return { ok: false, reason: 'name-taken', other: named };
  const at = (req.now ?? (() => new Date()))().toISOString();
  // Replacing the entry that has the name keeps its id: it is the same workflow saved again.
  const base = current ?? (req.force ? named : undefined);
  const entry: SavedWorkflow = {
    v: SAVED_WORKFLOW_VERSION,
    id: base?.id ?? req.id ?? newSavedId(),
    name,
    createdAt: base?.createdAt ?? at,
    updatedAt: at,
    revision: (base?.revision ?? 0) + 1,
    workflow: { ...req.workflow, meta: { ...req.workflow.meta, name, updatedAt: at } },
  };
  await library.put(entry);
  if (req.force && named && named.id !== entry.id) await library.delete(named.id);
  return { ok: true, entry };
}

/** Renames an entry (its workflow's name too); refused when another entry has the name. */
export async function renameSaved(
  library: WorkflowLibrary,
  id: string,
  name: string,
  now: () => Date = () => new Date(),
): Promise<SavedWorkflow | SaveRefusal> {
  const all = await library.list();
  const entry = all.find((e) => e.id === id);
  if (!entry) throw new Error(`No saved workflow has the id ${id}`);
  const clean = name.trim().slice(0, MAX_SAVED_NAME);
  const named = all.find((e) => e.id !== id && sameName(e.name, clean));
  if (named) return { ok: false, reason: 'name-taken', other: named };
  const workflow = entry.workflow as { meta?: Record<string, unknown> } | null;
  const renamed: SavedWorkflow = {
    ...entry,
    name: clean,
    updatedAt: now().toISOString(),
    revision: entry.revision + 1,
    workflow: workflow && typeof workflow === 'object' ? { ...workflow, meta: { ...workflow.meta, name: clean } } : workflow,
  };
  await library.put(renamed);
  return renamed;
}

/** Entries whose name contains every word of `query` (case-insensitive), in library order. */
export function searchSaved(entries: readonly SavedWorkflow[], query: string): SavedWorkflow[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return entries.filter((e) => words.every((w) => e.name.toLocaleLowerCase().includes(w)));
}

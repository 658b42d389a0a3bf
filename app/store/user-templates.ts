import { z } from 'zod';

/** Bumped (with a named migration in `parseUserTemplate`) when the stored record changes. */
export const USER_TEMPLATE_VERSION = 1;

/**
 * A template the user saved in this browser: a workflow with `meta.template.fields`. The record
 * is versioned here; the workflow inside carries its own schemaVersion and is migrated on use.
 */
export const zUserTemplate = z.object({
  v: z.literal(USER_TEMPLATE_VERSION),
  id: z.string().min(1),
  name: z.string().min(1).max(200),
  description: z.string().max(5_000).optional(),
  /** ISO timestamps. */
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The workflow as saved; always opened through parse-and-migrate, never trusted as is. */
  workflow: z.unknown(),
});
export type UserTemplate = z.infer<typeof zUserTemplate>;

/** Where the user's templates are kept (IndexedDB in the browser). */
export interface TemplateLibrary {
  /** Most recently updated first. */
  list(): Promise<UserTemplate[]>;
  get(id: string): Promise<UserTemplate | undefined>;
  put(template: UserTemplate): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Reads a stored record; undefined when it is not a template this version understands. */
export function parseUserTemplate(raw: unknown): UserTemplate | undefined {
  const parsed = zUserTemplate.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** A fresh id for a new template. */
export function newTemplateId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return `tpl-${c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`}`;
}

/** Templates in memory (tests; browsers without IndexedDB). */
export class MemoryTemplateLibrary implements TemplateLibrary {
  readonly templates = new Map<string, UserTemplate>();
  async list() {
    return [...this.templates.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).map((t) => structuredClone(t));
  }
  async get(id: string) {
    const t = this.templates.get(id);
    return t && structuredClone(t);
  }
  async put(template: UserTemplate) {
    this.templates.set(template.id, structuredClone(template));
  }
  async delete(id: string) {
    this.templates.delete(id);
  }
}

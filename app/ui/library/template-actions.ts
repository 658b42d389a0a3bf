import { loadWorkflow, type LoadResult } from '../../graph/load-workflow';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import { builtinTemplates } from '../../templates';
import { makeTemplate, type TemplateSpec, type TemplateSpecError } from '../../templates/make-template';
import { newTemplateId, USER_TEMPLATE_VERSION, type TemplateLibrary, type UserTemplate } from '../../store/user-templates';
import { readWorkflowFile } from '../chrome/open-file';

/** One card of the template gallery: a built-in (shipped in app/templates) or one of the user's. */
export interface GalleryTemplate {
  key: string;
  source: 'builtin' | 'user';
  id: string;
  title: string;
  description: string;
  fieldCount: number;
  /** Raw workflow data: always opened through parse-and-migrate. */
  workflow: unknown;
  updatedAt?: string;
}

const fieldCountOf = (workflow: unknown): number => {
  const fields = (workflow as { meta?: { template?: { fields?: unknown } } } | null)?.meta?.template?.fields;
  return Array.isArray(fields) ? fields.length : 0;
};

/** The gallery: the user's templates (newest first), then the built-ins. */
export async function galleryTemplates(library: TemplateLibrary | undefined): Promise<GalleryTemplate[]> {
  const mine = library ? await library.list() : [];
  return [
    ...mine.map((t): GalleryTemplate => ({
      key: `user:${t.id}`,
      source: 'user',
      id: t.id,
      title: t.name,
      description: t.description ?? '',
      fieldCount: fieldCountOf(t.workflow),
      workflow: t.workflow,
      updatedAt: t.updatedAt,
    })),
    ...builtinTemplates.map((t): GalleryTemplate => ({
      key: `builtin:${t.id}`,
      source: 'builtin',
      id: t.id,
      title: t.title,
      description: t.description,
      fieldCount: t.fields.length,
      workflow: t.workflow,
    })),
  ];
}

/** "Save as template": checks the spec (makeTemplate) and stores the template in the library. */
export async function saveAsTemplate(
  library: TemplateLibrary,
  workflow: Workflow,
  spec: TemplateSpec,
  registry: NodeRegistry,
  now: () => Date = () => new Date(),
): Promise<{ ok: true; template: UserTemplate } | { ok: false; errors: TemplateSpecError[] }> {
  const made = makeTemplate(workflow, spec, registry);
  if (!made.ok) return made;
  const at = now().toISOString();
  const template: UserTemplate = {
    v: USER_TEMPLATE_VERSION,
    id: newTemplateId(),
    name: made.workflow.meta.name ?? spec.name,
    ...(made.workflow.meta.description ? { description: made.workflow.meta.description } : {}),
    createdAt: at,
    updatedAt: at,
    workflow: { ...made.workflow, meta: { ...made.workflow.meta, updatedAt: at } },
  };
  await library.put(template);
  return { ok: true, template };
}

/**
 * Imports a template file (.json, or a PNG carrying a workflow) into the library, through
 * parse-and-migrate: a bad file is refused with the loader's message; repairs are reported.
 */
export async function importTemplateFile(
  library: TemplateLibrary,
  file: File,
  registry: NodeRegistry,
  now: () => Date = () => new Date(),
): Promise<{ loaded: LoadResult; template?: UserTemplate }> {
  const loaded = await readWorkflowFile(file, registry);
  if (!loaded.ok) return { loaded };
  const at = now().toISOString();
  const wf = loaded.workflow;
  const name = (wf.meta.name ?? file.name.replace(/\.(json|png)$/i, '')).slice(0, 200) || 'Imported template';
  const template: UserTemplate = {
    v: USER_TEMPLATE_VERSION,
    id: newTemplateId(),
    name,
    ...(wf.meta.description ? { description: wf.meta.description } : {}),
    createdAt: at,
    updatedAt: at,
    workflow: wf,
  };
  await library.put(template);
  return { loaded, template };
}

/** A template as a downloadable workflow file. */
export function templateFile(template: GalleryTemplate): { name: string; blob: Blob } {
  const base = template.title.replace(/[^A-Za-z0-9 _.-]+/g, '').trim() || 'template';
  return { name: `${base}.json`, blob: new Blob([`${JSON.stringify(template.workflow, null, 2)}\n`], { type: 'application/json' }) };
}

/** Opens a template's workflow for use (parse-and-migrate; never trusted as stored). */
export const loadTemplate = (template: GalleryTemplate, registry: NodeRegistry): LoadResult => loadWorkflow(template.workflow, registry);

import { listTemplates } from '../../../app/server/cli/list-templates';
import { registry } from '../../../nodes';

/**
 * `--set` arguments that give every required field of a built-in template its own sample
 * value, explicitly: what a user does who has looked at the samples and chooses to run them.
 */
export function sampleSets(templateId: string): string[] {
  const template = listTemplates(registry).find((t) => t.id === templateId);
  if (!template) throw new Error(`no built-in template "${templateId}"`);
  return template.fields
    .filter((f) => f.required)
    .flatMap((f) => {
      const value = f.value as { kind?: string; url?: string } | string;
      if (typeof value === 'string') return ['--set', `${f.id}=${value}`];
      if (value.kind === 'url' && value.url) return ['--set', `${f.id}=${value.url}`];
      throw new Error(`${templateId}.${f.id}: no command-line form for its sample value`);
    });
}

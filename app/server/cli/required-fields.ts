import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import { needsValue, templateFields, type ResolvedTemplateField } from '../../templates/template-fields';
import { valueHint } from './list-templates';

/** The sample fields a command line left as the template has them, and what to say about it. */
export interface MissingTemplateFields {
  /** Fields whose template value is a sample and that no `--set` replaced, in template order. */
  missing: ResolvedTemplateField[];
  /** A command line that would run: the same source and `--out`, with a `--set` per missing field. */
  example: string;
  /** What the CLI prints before exiting 2; empty when nothing is missing. */
  message: string;
}

/** What the user typed as `run <source> … --out <out>`, echoed in the example. */
export interface RunCommandLine {
  source: string;
  out: string;
}

/**
 * The template's sample fields (pictures, a story: no `useDefault`) that `sets` leave as the
 * template has them. A headless run must not submit — and pay for — a template's sample
 * values without anyone having looked at them, so the CLI refuses such a run before anything
 * is uploaded or submitted. A field counts as set by `--set <field>=…` or by
 * `--set <node>.<param>=…` on the param it fills. A workflow that is not a template has no
 * fields and so never misses any. `sets` are assumed already checked by applySets.
 */
export function missingTemplateFields(workflow: Workflow, sets: readonly string[], registry: NodeRegistry, command: RunCommandLine): MissingTemplateFields {
  const targets = new Set(sets.map((s) => s.slice(0, Math.max(0, s.indexOf('=')))));
  const missing = templateFields(workflow, registry).filter((f) => needsValue(f) && !targets.has(f.id) && !targets.has(`${f.target.node}.${f.target.param}`));
  if (!missing.length) return { missing, example: '', message: '' };
  const example = [
    'npm run cli -- run',
    shellWord(command.source),
    ...missing.map((f) => `--set ${f.id}=${exampleValue(f)}`),
    '--out',
    shellWord(command.out),
  ].join(' ');
  const message =
    `Template "${command.source}" needs values for: ${missing.map((f) => `${f.id} (${f.label})`).join(', ')}. ` +
    `Its ${sampleWords(missing)} are not submitted. Example:\n  ${example}\n` +
    `Image fields take a file path or an https URL; "npm run cli -- templates" lists every field.`;
  return { missing, example, message };
}

/** A placeholder the user replaces: a file named after the field for images, text in quotes. */
function exampleValue(field: ResolvedTemplateField): string {
  const widget = field.meta.widget;
  if (widget === 'image') return `./${field.id}.png`;
  if (widget === undefined || widget === 'text' || widget === 'textarea') return '"…"';
  return valueHint(widget);
}

/** "sample pictures and text", naming only the kinds that are missing. */
function sampleWords(fields: readonly ResolvedTemplateField[]): string {
  const kinds = new Set<string>(
    fields.map((f) => (f.meta.widget === 'image' ? 'pictures' : f.meta.widget === 'text' || f.meta.widget === 'textarea' ? 'text' : 'values')),
  );
  return `sample ${['pictures', 'text', 'values'].filter((k) => kinds.has(k)).join(' and ')}`;
}

/** Quotes a word for a POSIX shell when it holds anything but plain path characters. */
const shellWord = (word: string): string => (/^[\w./:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

import type { TemplateField } from '../graph/workflow-schema';
import characterScenes from './character-scenes.json';
import productSet from './product-set.json';
import storyboard from './storyboard.json';
import twoStepChain from './two-step-chain.json';

/** A built-in template: a plain workflow file plus how the gallery lists it. */
export interface BuiltinTemplate {
  /** Stable id, used by the CLI (`npm run cli -- run storyboard`). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The fields the Use-template form asks for (`meta.template.fields`); resolve them with templateFields(). */
  readonly fields: readonly TemplateField[];
  /** Raw workflow JSON; load it with loadWorkflow() like any file. */
  readonly workflow: unknown;
}

const entry = (id: string, workflow: { meta: { name: string; description: string; template: { fields: TemplateField[] } } }): BuiltinTemplate => ({
  id,
  title: workflow.meta.name,
  description: workflow.meta.description,
  fields: workflow.meta.template.fields,
  workflow,
});

/** Every built-in template, in gallery order. */
export const builtinTemplates: readonly BuiltinTemplate[] = [
  entry('storyboard', storyboard),
  entry('character-scenes', characterScenes),
  entry('product-set', productSet),
  entry('two-step-chain', twoStepChain),
];

/** The built-in template with this id, if any. */
export function findBuiltinTemplate(id: string): BuiltinTemplate | undefined {
  return builtinTemplates.find((t) => t.id === id);
}

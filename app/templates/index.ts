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
  /** Raw workflow JSON; load it with loadWorkflow() like any file. */
  readonly workflow: unknown;
}

const entry = (id: string, workflow: { meta: { name: string; description: string } }): BuiltinTemplate => ({
  id,
  title: workflow.meta.name,
  description: workflow.meta.description,
  workflow,
});

/** Every built-in template, in gallery order. */
export const builtinTemplates: readonly BuiltinTemplate[] = [
  entry('storyboard', storyboard),
  entry('character-scenes', characterScenes),
  entry('product-set', productSet),
  entry('two-step-chain', twoStepChain),
];

export function findBuiltinTemplate(id: string): BuiltinTemplate | undefined {
  return builtinTemplates.find((t) => t.id === id);
}


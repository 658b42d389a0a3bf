import { z } from 'zod';
import { CURRENT_SCHEMA_VERSION, zWorkflow } from './workflow-schema';

/** Where the generated schema is committed, relative to the repository root. */
export const WORKFLOW_SCHEMA_PATH = 'app/graph/workflow.schema.json';

/**
 * The workflow file format as JSON Schema (draft 2020-12), generated from the zod schema so it
 * cannot drift from what the app accepts. It describes files as written (`io: 'input'`: fields
 * with defaults are optional). What JSON Schema cannot say is left to the app and listed in the
 * description: unique node/edge/field ids, the no-inlined-images rule, and each node kind's params.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(zWorkflow, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: `Sequence Studio workflow (schemaVersion ${CURRENT_SCHEMA_VERSION})`,
    description:
      'A saved Sequence Studio workflow or template. Also checked by the app, beyond this schema: node, edge and ' +
      'template field ids are unique; no param holds a data: URI or a string over 16,384 characters (images are ' +
      'referenced by https URL or asset id); params are valid for their node kind. Older schema versions are migrated on load.',
    ...rest,
  };
}

/** The schema as the committed file holds it: two-space JSON with a final newline. */
export const workflowJsonSchemaText = (): string => `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;

/**
 * `npm run schema`: (re)writes app/graph/workflow.schema.json from the zod schema. A test fails
 * when the committed file and a fresh generation differ, so run this after changing the format.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { workflowJsonSchemaText } from '../graph/workflow-json-schema';

const target = fileURLToPath(new URL('../graph/workflow.schema.json', import.meta.url));
await writeFile(target, workflowJsonSchemaText());
console.log(`wrote ${target}`);

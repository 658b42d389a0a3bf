import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { workflowJsonSchema, workflowJsonSchemaText } from '../../app/graph/workflow-json-schema';
import { builtinTemplates } from '../../app/templates';
import { registry } from '../../nodes';
import { checkJsonSchema } from '../fixtures/json-schema-check';

const committed = readFileSync(new URL('../../app/graph/workflow.schema.json', import.meta.url), 'utf8');
const fixtureDir = new URL('../fixtures/workflows/', import.meta.url);
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, fixtureDir), 'utf8')) as Record<string, unknown>] as const);
const schema = workflowJsonSchema();

describe('workflowJsonSchema', () => {
  it('equals the committed app/graph/workflow.schema.json (run `npm run schema` when this fails)', () => {
    expect(committed).toBe(workflowJsonSchemaText());
  });

  it('describes the current format, including template fields, when generated', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['schemaVersion', 'nodes', 'edges'],
      properties: { schemaVersion: { const: 3 } },
    });
    const meta = (schema.properties as Record<string, Record<string, unknown>>).meta!;
    expect(meta).toMatchObject({
      properties: { template: { properties: { fields: { items: { properties: { id: { pattern: '^[a-z][a-zA-Z0-9-]*$' } } } } } } },
      additionalProperties: {},
    });
  });

  it.each(builtinTemplates.map((t) => [t.id, t.workflow] as const))('accepts the built-in template %s as written', (_id, workflow) => {
    expect(checkJsonSchema(schema, workflow)).toEqual([]);
  });

  it.each(fixtures.filter(([, f]) => f.schemaVersion === 3))('accepts the current-version fixture %s as written', (_name, data) => {
    expect(checkJsonSchema(schema, data)).toEqual([]);
  });

  it.each(fixtures)('accepts the fixture %s after parse-and-migrate', (_name, data) => {
    const loaded = loadWorkflow(data, registry);
    expect(loaded.ok && checkJsonSchema(schema, JSON.parse(JSON.stringify(loaded.workflow)))).toEqual([]);
  });

  it.each([
    ['a missing schemaVersion', { nodes: [], edges: [] }, /missing "schemaVersion"/],
    ['an old schemaVersion', { schemaVersion: 2, nodes: [], edges: [] }, /schemaVersion: expected 3/],
    [
      'a node mode that is not bypass or mute',
      { schemaVersion: 3, nodes: [{ id: 'a', kind: 'k', kindVersion: 1, position: { x: 0, y: 0 }, mode: 'never' }], edges: [] },
      /nodes\[0\]\.mode/,
    ],
    [
      'a node id with a space',
      { schemaVersion: 3, nodes: [{ id: 'a b', kind: 'k', kindVersion: 1, position: { x: 0, y: 0 } }], edges: [] },
      /nodes\[0\]\.id: does not match/,
    ],
    [
      'a template field id with a dot',
      { schemaVersion: 3, nodes: [], edges: [], meta: { template: { fields: [{ id: 'gen.max', label: 'M', target: { node: 'gen', param: 'maxImages' } }] } } },
      /fields\[0\]\.id: does not match/,
    ],
  ])('refuses %s', (_case, data, message) => {
    expect(checkJsonSchema(schema, data).join('\n')).toMatch(message);
  });
});

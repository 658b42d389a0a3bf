import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrateWorkflowData } from '../../app/graph/migrations';
import { CURRENT_SCHEMA_VERSION, zWorkflow } from '../../app/graph/workflow-schema';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/workflows/${name}`, import.meta.url), 'utf8'));

describe('MIGRATIONS', () => {
  it('forms an unbroken chain up to the current schema version', () => {
    MIGRATIONS.forEach((step, i) => expect(step.from).toBe(i + 1));
    expect(MIGRATIONS.length).toBe(CURRENT_SCHEMA_VERSION - 1);
    expect(new Set(MIGRATIONS.map((s) => s.name)).size).toBe(MIGRATIONS.length);
  });
});

describe('migrateWorkflowData', () => {
  it('turns the v1 prototype format into a valid current workflow', () => {
    const result = migrateWorkflowData(fixture('v1-storyboard.json'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fromVersion).toBe(1);
    expect(result.applied).toEqual(['v1-react-flow-shape-to-v2', 'v2-to-v3-canvas-items']);
    const parsed = zWorkflow.parse(result.data);
    expect(parsed.meta.name).toBe('Storyboard (prototype format)');
    expect(parsed.nodes.find((n) => n.id === 'gen')).toMatchObject({
      kind: 'seedream.edit-sequential',
      kindVersion: 1,
      params: { maxImages: 3, resolution: '2560x1440 (16:9)' },
    });
    // Links into the same input keep their file order as explicit `order`.
    const intoGen = parsed.edges.filter((e) => e.target.node === 'gen' && e.target.port === 'images');
    expect(intoGen.map((e) => [e.source.node, e.order])).toEqual([
      ['load1', 0],
      ['load2', 1],
    ]);
  });

  it('only raises the version of a version 2 file', () => {
    const data = fixture('v2-two-step-chain.json') as Record<string, unknown>;
    const result = migrateWorkflowData(data);
    expect(result).toMatchObject({ ok: true, fromVersion: 2, applied: ['v2-to-v3-canvas-items'] });
    if (result.ok) expect(result.data).toEqual({ ...data, schemaVersion: 3 });
  });

  it('leaves a current-version file untouched', () => {
    const data = fixture('v3-canvas-items.json');
    const result = migrateWorkflowData(data);
    expect(result).toMatchObject({ ok: true, fromVersion: 3, applied: [] });
    if (result.ok) expect(result.data).toEqual(data);
  });

  it.each([
    ['a number', 42, /JSON object/],
    ['an array', [], /JSON object/],
    ['no version and no nodes', { hello: 'world' }, /schemaVersion/],
    ['a fractional version', { schemaVersion: 1.5, nodes: [] }, /whole number/],
    ['a newer version', { schemaVersion: 99, nodes: [] }, /newer Sequence Studio/],
  ])('refuses %s with a clear message', (_label, input, message) => {
    const result = migrateWorkflowData(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('does not throw on a v1 file with odd entries', () => {
    const result = migrateWorkflowData({ nodes: [null, 3, { id: 'a', type: 'text.prompt' }], edges: ['x'] });
    expect(result.ok).toBe(true);
  });
});

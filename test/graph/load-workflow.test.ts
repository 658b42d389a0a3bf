import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, MAX_WORKFLOW_BYTES } from '../../app/graph/load-workflow';
import { CURRENT_SCHEMA_VERSION, MAX_WORKFLOW_NESTING, zWorkflow } from '../../app/graph/workflow-schema';
import { registry } from '../../nodes';

const dir = new URL('../fixtures/workflows/', import.meta.url);
const fixtureText = (name: string) => readFileSync(new URL(name, dir), 'utf8');

describe('loadWorkflow', () => {
  // Every saved fixture of every schema version loads, and survives a save/load round trip unchanged.
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('round-trips the saved fixture %s', (name) => {
    const first = loadWorkflow(fixtureText(name), registry);
    expect(first.ok, JSON.stringify(first.ok ? [] : first.issues)).toBe(true);
    if (!first.ok) return;
    expect(first.workflow.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(first.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const again = loadWorkflow(JSON.stringify(first.workflow), registry);
    expect(again.ok && again.workflow).toEqual(first.workflow);
    expect(first.workflow).toMatchSnapshot();
  });

  it('explains text that is not JSON', () => {
    const r = loadWorkflow('{ "nodes": [', registry);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'not-json' }] });
  });

  it('refuses a file that is too large before parsing it', () => {
    const r = loadWorkflow(' '.repeat(MAX_WORKFLOW_BYTES + 1), registry);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'file-too-large' }] });
  });

  it('names the field that has the wrong shape', () => {
    const r = loadWorkflow({ schemaVersion: 2, nodes: [{ id: 'a', kind: 'text.prompt', kindVersion: 1, position: { x: 'left', y: 0 } }], edges: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/^nodes\[0\]\.position\.x: /);
  });

  it('refuses inlined image data in params', () => {
    const r = loadWorkflow({
      schemaVersion: 2,
      nodes: [{ id: 'a', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 0 }, params: { image: { kind: 'url', url: 'data:image/png;base64,AAAA' } } }],
      edges: [],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/nodes\[0\]\.params\.image: a data: URI/);
  });

  it('keeps nodes of unknown kinds and their links, with a warning', () => {
    const r = loadWorkflow(
      {
        schemaVersion: 2,
        nodes: [
          { id: 'x', kind: 'vendor.mystery', kindVersion: 3, position: { x: 0, y: 0 }, params: { a: 1 } },
          { id: 's', kind: 'image.save', kindVersion: 1, position: { x: 300, y: 0 } },
        ],
        edges: [{ id: 'e', source: { node: 'x', port: 'out' }, target: { node: 's', port: 'images' } }],
      },
      registry,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.workflow.nodes.map((n) => n.id)).toEqual(['x', 's']);
    expect(r.workflow.nodes[0]!.params).toEqual({ a: 1 });
    expect(r.workflow.edges).toHaveLength(1);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'unknown-kind', nodeId: 'x', severity: 'warning' })]);
  });

  it('drops dangling links with a warning and keeps the rest', () => {
    const r = loadWorkflow(
      {
        schemaVersion: 2,
        nodes: [
          { id: 'p', kind: 'text.prompt', kindVersion: 1, position: { x: 0, y: 0 } },
          { id: 'g', kind: 'seedream.edit-sequential', kindVersion: 1, position: { x: 300, y: 0 } },
        ],
        edges: [
          { id: 'ok', source: { node: 'p', port: 'text' }, target: { node: 'g', port: 'prompt' } },
          { id: 'gone', source: { node: 'ghost', port: 'image' }, target: { node: 'g', port: 'images' } },
          { id: 'badport', source: { node: 'p', port: 'nope' }, target: { node: 'g', port: 'images' } },
        ],
      },
      registry,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.workflow.edges.map((e) => e.id)).toEqual(['ok']);
    expect(r.issues.map((i) => [i.code, i.edgeId])).toEqual([
      ['dangling-edge', 'gone'],
      ['dangling-edge', 'badport'],
    ]);
    expect(r.issues[0]!.message).toMatch(/node "ghost" does not exist/);
  });

  it('stores hostile strings as inert data', () => {
    const r = loadWorkflow(
      {
        schemaVersion: 2,
        meta: { name: '<script>alert(1)</script>' },
        nodes: [
          {
            id: 'p',
            kind: 'text.prompt',
            kindVersion: 1,
            title: 'javascript:alert(1)',
            position: { x: 0, y: 0 },
            params: { text: '<img src=x onerror=alert(1)>' },
          },
        ],
        edges: [],
      },
      registry,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.workflow.nodes[0]!.params.text).toBe('<img src=x onerror=alert(1)>');
  });

  it('opens the workflow without its template fields, with a warning, when meta.template is malformed', () => {
    const r = loadWorkflow(
      {
        schemaVersion: 2,
        meta: { name: 'T', template: { fields: [{ id: 'gen.max', label: 'Max', target: { node: 'gen', param: 'maxImages' } }] } },
        nodes: [{ id: 'gen', kind: 'seedream.edit-sequential', kindVersion: 1, position: { x: 0, y: 0 }, params: {} }],
        edges: [],
      },
      registry,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.workflow.meta).toEqual({ name: 'T' });
    expect(r.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'template-invalid',
        message: expect.stringMatching(/meta\.template\.fields\[0\]\.id: a field id starts/),
      }),
    ]);
  });

  it('keeps well-formed template fields when loading', () => {
    const fields = [{ id: 'max', label: 'Max', target: { node: 'gen', param: 'maxImages' } }];
    const r = loadWorkflow({ schemaVersion: 2, meta: { template: { fields } }, nodes: [], edges: [] }, registry);
    expect(r.ok && r.workflow.meta.template).toEqual({ fields });
  });
});

/** `{a:{a:…leaf}}` nested `levels` objects deep, built without recursion. */
function nested(levels: number, leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const withParam = (value: unknown, meta: Record<string, unknown> = {}) => ({
  schemaVersion: CURRENT_SCHEMA_VERSION,
  meta,
  nodes: [{ id: 'gen', kind: 'seedream.edit-sequential', kindVersion: 1, position: { x: 0, y: 0 }, params: { extra: value } }],
  edges: [],
});

describe('loadWorkflow canvas items', () => {
  const items = (groups: unknown[]) => ({
    schemaVersion: CURRENT_SCHEMA_VERSION,
    nodes: [
      { id: 'a', kind: 'text.prompt', kindVersion: 1, position: { x: 0, y: 0 } },
      { id: 'b', kind: 'text.prompt', kindVersion: 1, position: { x: 0, y: 200 }, mode: 'mute' },
    ],
    edges: [],
    notes: [{ id: 'note1', position: { x: 300, y: 0 }, size: { width: 200, height: 100 }, text: 'hello' }],
    groups,
  });
  const frame = { position: { x: -20, y: -40 }, size: { width: 600, height: 400 } };

  it('keeps notes, groups and node modes when loading', () => {
    const r = loadWorkflow(items([{ id: 'g1', title: 'All', ...frame, members: ['a', 'b', 'note1'] }]), registry);
    expect(r.ok && r.issues).toEqual([]);
    expect(r.ok && r.workflow.nodes[1]!.mode).toBe('mute');
    expect(r.ok && r.workflow.groups![0]!.members).toEqual(['a', 'b', 'note1']);
    expect(r.ok && r.workflow.notes![0]!.text).toBe('hello');
  });

  it('drops group members that do not exist or are in an earlier group, with a warning, when loading', () => {
    const r = loadWorkflow(
      items([
        { id: 'g1', title: 'First', ...frame, members: ['a', 'ghost'] },
        { id: 'g2', title: 'Second', ...frame, members: ['a', 'b'] },
      ]),
      registry,
    );
    expect(r.ok && r.workflow.groups!.map((g) => g.members)).toEqual([['a'], ['b']]);
    expect(r.ok && r.issues.map((i) => i.code)).toEqual(['group-member-dropped', 'group-member-dropped']);
  });

  it('loads a version 2 file as version 3 without adding anything when migrating', () => {
    const r = loadWorkflow({ schemaVersion: 2, nodes: [{ id: 'a', kind: 'text.prompt', kindVersion: 1, position: { x: 0, y: 0 } }], edges: [] }, registry);
    expect(r.ok && r.workflow).toEqual({
      schemaVersion: 3,
      nodes: [{ id: 'a', kind: 'text.prompt', kindVersion: 1, params: {}, position: { x: 0, y: 0 } }],
      edges: [],
      meta: {},
    });
    expect(r.ok && r.migrations).toEqual(['v2-to-v3-canvas-items']);
  });
});

describe('loadWorkflow nesting limit', () => {
  it('refuses a param nested 10,000 levels deep, naming the node, the param and the limit when loading', () => {
    const r = loadWorkflow(withParam(nested(10_000)), registry);
    expect(r).toMatchObject({ ok: false, issues: [{ severity: 'error', code: 'too-deep', nodeId: 'gen', field: 'extra' }] });
    expect(!r.ok && r.issues[0]!.message).toMatch(
      /^The param "extra" of node "gen" nests more than 64 levels deep \(at nodes\[0\]\.params\.extra\.a\.a\.a\.a…\)/,
    );
  });

  it('refuses a 10,000-deep meta value given as JSON text, naming the meta path, without overflowing the stack', () => {
    const text = `{"schemaVersion":2,"nodes":[],"edges":[],"meta":{"name":"x","extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const r = loadWorkflow(text, registry);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'too-deep' }] });
    expect(!r.ok && r.issues[0]!.message).toMatch(/^The meta field "extra" nests more than 64 levels deep \(at meta\.extra\[0\]\[0\]/);
  });

  it('refuses a 100,000-deep JSON array at the top without overflowing the stack', () => {
    const r = loadWorkflow(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, registry);
    expect(r.ok).toBe(false);
  });

  it(`accepts a workflow exactly ${MAX_WORKFLOW_NESTING} levels deep and refuses one level more`, () => {
    // root (1) → nodes (2) → node (3) → params (4) → the value's own levels.
    const fits = loadWorkflow(withParam(nested(MAX_WORKFLOW_NESTING - 4)), registry);
    expect(fits.ok).toBe(true);
    if (fits.ok) expect(() => JSON.stringify(fits.workflow)).not.toThrow();
    expect(loadWorkflow(withParam(nested(MAX_WORKFLOW_NESTING - 3)), registry)).toMatchObject({ ok: false, issues: [{ code: 'too-deep' }] });
  });

  it('refuses a cyclic value handed over as data instead of looping', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(loadWorkflow(withParam(loop), registry)).toMatchObject({ ok: false, issues: [{ code: 'too-deep' }] });
  });
});

describe('zWorkflow nesting limit', () => {
  it('fails validation (instead of throwing) when a param or meta value is nested too deep', () => {
    const r = zWorkflow.safeParse(withParam(nested(10_000), { extra: nested(10_000) }));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.slice(0, 4))).toEqual([
      ['nodes', 0, 'params', 'extra'],
      ['meta', 'extra'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { emptyWorkflow, zWorkflow, zId } from '../../app/graph/workflow-schema';
import { zImageRef, canConnectTypes, PORT_TYPES } from '../../app/graph/ports';

const node = (over: Record<string, unknown> = {}) => ({ id: 'n1', kind: 'text.prompt', kindVersion: 1, params: {}, position: { x: 0, y: 0 }, ...over });
const note = (over: Record<string, unknown> = {}) => ({ id: 'note1', position: { x: 0, y: 0 }, size: { width: 240, height: 120 }, text: '# Hi', ...over });
const group = (over: Record<string, unknown> = {}) => ({
  id: 'group1',
  title: 'Refs',
  position: { x: -20, y: -40 },
  size: { width: 600, height: 400 },
  ...over,
});
const wf = (over: Record<string, unknown> = {}) => ({ ...emptyWorkflow(), nodes: [node()], ...over });

describe('zWorkflow', () => {
  it.each([
    ['an empty workflow', emptyWorkflow(), true],
    ['one node', wf(), true],
    ['meta from another tool is kept', wf({ meta: { name: 'x', vendor: { a: 1 } } }), true],
    ['a wrong schema version', wf({ schemaVersion: 2 }), false],
    ['a bypassed, coloured, pinned, collapsed node', wf({ nodes: [node({ mode: 'bypass', color: 'red', pinned: true, collapsed: true })] }), true],
    ['a muted node', wf({ nodes: [node({ mode: 'mute' })] }), true],
    ['an unknown node mode', wf({ nodes: [node({ mode: 'never' })] }), false],
    ['a colour given as CSS', wf({ nodes: [node({ color: '#f00; background: url(x)' })] }), false],
    ['a note and a group', wf({ notes: [note()], groups: [group({ members: ['n1', 'note1'] })] }), true],
    ['a note sharing a node id', wf({ notes: [note({ id: 'n1' })] }), false],
    ['a group sharing a note id', wf({ notes: [note()], groups: [group({ id: 'note1' })] }), false],
    ['a note of 10,001 characters', wf({ notes: [note({ text: 'x'.repeat(10_001) })] }), false],
    ['a group of zero size', wf({ groups: [group({ size: { width: 0, height: 0 } })] }), false],
    ['duplicate node ids', wf({ nodes: [node(), node()] }), false],
    ['an id with a space', wf({ nodes: [node({ id: 'a b' })] }), false],
    ['kindVersion 0', wf({ nodes: [node({ kindVersion: 0 })] }), false],
    ['a non-finite position', wf({ nodes: [node({ position: { x: Infinity, y: 0 } })] }), false],
    ['a data URI param', wf({ nodes: [node({ params: { text: 'data:image/png;base64,AAA' } })] }), false],
    ['a nested data URI param', wf({ nodes: [node({ params: { image: { kind: 'url', url: 'DATA:image/png;base64,A' } } })] }), false],
    ['a 20,000-character param', wf({ nodes: [node({ params: { text: 'x'.repeat(20_000) } })] }), false],
    ['duplicate edge ids', wf({ edges: [1, 2].map(() => ({ id: 'e', source: { node: 'n1', port: 'a' }, target: { node: 'n1', port: 'b' } })) }), false],
    ['a negative edge order', wf({ edges: [{ id: 'e', source: { node: 'n1', port: 'a' }, target: { node: 'n1', port: 'b' }, order: -1 }] }), false],
  ])('%s → valid: %s', (_label, input, ok) => {
    expect(zWorkflow.safeParse(input).success).toBe(ok);
  });

  it('fills defaults for params and meta', () => {
    const parsed = zWorkflow.parse({ schemaVersion: 3, nodes: [{ id: 'a', kind: 'k', kindVersion: 1, position: { x: 1, y: 2 } }], edges: [] });
    expect(parsed.nodes[0]!.params).toEqual({});
    expect(parsed.meta).toEqual({});
    expect(parsed.notes).toBeUndefined();
    expect(zWorkflow.parse(wf({ groups: [group()] })).groups![0]!.members).toEqual([]);
  });
});

describe('zId', () => {
  it.each([
    ['node-1', true],
    ['a.b:c_d', true],
    ['', false],
    ['x'.repeat(65), false],
    ['<script>', false],
  ])('%s → %s', (id, ok) => expect(zId.safeParse(id).success).toBe(ok));
});

describe('zImageRef', () => {
  const hex = 'a'.repeat(64);
  it.each([
    [{ kind: 'asset', assetId: hex, mime: 'image/png' }, true],
    [{ kind: 'asset', assetId: 'short', mime: 'image/png' }, false],
    [{ kind: 'asset', assetId: hex, mime: 'image/gif' }, false],
    [{ kind: 'url', url: 'https://example.com/a.png' }, true],
    [{ kind: 'url', url: 'http://example.com/a.png' }, false],
    [{ kind: 'url', url: 'javascript:alert(1)' }, false],
    [{ kind: 'file', path: '/etc/passwd' }, false],
  ])('%j → %s', (ref, ok) => expect(zImageRef.safeParse(ref).success).toBe(ok));
});

describe('canConnectTypes', () => {
  it('allows equal types and image into image-list only', () => {
    const allowed = PORT_TYPES.flatMap((a) => PORT_TYPES.filter((b) => canConnectTypes(a, b)).map((b) => `${a}->${b}`));
    expect(allowed.sort()).toEqual(['image->image', 'image->image-list', 'image-list->image-list', 'number->number', 'text->text'].sort());
  });
});

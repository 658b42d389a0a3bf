import { describe, expect, it } from 'vitest';
import { validateConnection, type ConnectionRefusal } from '../../app/graph/connections';
import { createStubKit } from '../fixtures/stub-kinds';
import { graph } from '../fixtures/graph-builder';

const { registry } = createStubKit();

/** src → t1 → j; txt and p unlinked; s already fed by j; `mystery` has an unknown kind. */
const workflow = graph()
  .node('src', 'stub.source')
  .node('src2', 'stub.source')
  .node('txt', 'stub.text')
  .node('t1', 'stub.transform')
  .node('j', 'stub.join')
  .node('p', 'stub.prompted', {}, { kindVersion: 2 })
  .node('s', 'stub.sink')
  .node('mystery', 'stub.nope')
  .edge('src.out', 't1.in')
  .edge('t1.out', 'j.images')
  .edge('j.out', 's.in')
  .build();

const ref = (s: string) => {
  const [node = '', port = ''] = s.split('.');
  return { node, port };
};

describe('validateConnection', () => {
  const refused: [string, string, string, ConnectionRefusal, RegExp][] = [
    ['a node linked to itself', 't1.out', 't1.in', 'self-link', /itself/],
    ['the source node is missing', 'ghost.out', 't1.in', 'unknown-node', /no node "ghost"/],
    ['the target node is missing', 'src.out', 'ghost.in', 'unknown-node', /no node "ghost"/],
    ['the output port does not exist', 'src.nope', 'j.images', 'unknown-port', /no output "nope".*"out"/],
    ['the input port does not exist', 'src.out', 'j.nope', 'unknown-port', /no input "nope".*"images"/],
    ['an input is used as an output', 't1.in', 'j.images', 'unknown-port', /"in" is an input/],
    ['the node kind is unknown', 'mystery.out', 'j.images', 'unknown-port', /unknown kind/],
    ['text feeds an image list', 'txt.text', 'j.images', 'type-mismatch', /carries text.*takes image-list/],
    ['an image list feeds text', 't1.out', 'p.prompt', 'type-mismatch', /carries image-list.*takes text/],
    ['a single input is already linked', 'src2.out', 't1.in', 'input-occupied', /already linked from “Stub Source” \(output “out”\)/],
  ];
  it.each(refused)('refuses when %s', (_name, from, to, reason, message) => {
    const check = validateConnection(workflow, registry, { source: ref(from), target: ref(to) });
    expect(check).toMatchObject({ ok: false, reason });
    if (!check.ok) expect(check.message).toMatch(message);
  });

  it('names nodes by their titles, not their ids, when it refuses (issue 9, item 6)', () => {
    const titled = graph().node('n3', 'stub.text', {}, { title: 'Story' }).node('n4', 'stub.join').build();
    const check = validateConnection(titled, registry, { source: ref('n3.text'), target: ref('n4.images') });
    expect(check).toMatchObject({ ok: false, reason: 'type-mismatch' });
    if (!check.ok) {
      expect(check.message).toMatch(/of “Story” carries text, but input “images” of “Stub Join” takes image-list/);
      expect(check.message).not.toMatch(/\bn[34]\b/);
    }
  });

  it('refuses with the cycle path when the target already reaches the source', () => {
    const loop = graph().node('a', 'stub.transform').node('b', 'stub.transform').node('c', 'stub.join').edge('a.out', 'b.in').edge('b.out', 'c.images').build();
    const cyc = validateConnection(loop, registry, { source: ref('c.out'), target: ref('a.in') });
    expect(cyc).toEqual({
      ok: false,
      reason: 'cycle',
      message: 'Linking “Stub Join” to “Stub Transform” would create a loop: “Stub Join” → “Stub Transform” → “Stub Transform” → “Stub Join”.',
    });
  });

  const accepted: [string, string, string][] = [
    ['an image feeds an image list', 'src2.out', 'j.images'],
    ['a multiple input takes another link', 't1.out', 'j.images'],
    ['an image list feeds an image list', 'j.out', 'p.images'],
    ['text feeds a text input', 'txt.text', 'p.prompt'],
  ];
  it.each(accepted)('accepts when %s', (_name, from, to) => {
    expect(validateConnection(workflow, registry, { source: ref(from), target: ref(to) })).toEqual({ ok: true });
  });
});

import { describe, expect, it } from 'vitest';
import { checkOutputs, gatherInputs, toErrorInfo } from '../../app/engine/node-io';
import { planRun } from '../../app/engine/plan';
import type { NodeDefinition } from '../../app/graph/node-definition';
import { AbortedError } from '../../app/lib/clock';
import { graph } from '../fixtures/graph-builder';
import { StubError, createStubKit, imageNames, stubImage } from '../fixtures/stub-kinds';

const { registry } = createStubKit();

describe('gatherInputs', () => {
  it('concatenates a multiple input in link order, an image adding one item and a list all', () => {
    const wf = graph()
      .node('x', 'stub.source')
      .node('l', 'stub.join')
      .node('y', 'stub.source')
      .node('j', 'stub.join')
      .node('s', 'stub.sink')
      .edge('y.out', 'j.images', { order: 2 })
      .edge('l.out', 'j.images', { order: 1 })
      .edge('x.out', 'j.images', { order: 0 })
      .edge('x.out', 'l.images')
      .edge('j.out', 's.in')
      .build();
    const planned = planRun(wf, registry).nodes.get('j')!;
    const outputs = new Map([
      ['x', { out: stubImage('x') }],
      ['y', { out: stubImage('y') }],
      ['l', { out: [stubImage('l1'), stubImage('l2')] }],
    ]);
    expect(imageNames(gatherInputs(planned, outputs).images)).toEqual(['x', 'l1', 'l2', 'y']);
  });

  it('wraps a single image into a list and leaves unlinked inputs absent', () => {
    const wf = graph().node('x', 'stub.source').node('t', 'stub.transform').node('s', 'stub.sink').edge('x.out', 't.in').edge('t.out', 's.in').build();
    const plan = planRun(wf, registry);
    expect(gatherInputs(plan.nodes.get('t')!, new Map([['x', { out: stubImage('x') }]]))).toEqual({ in: [stubImage('x')] });
    expect(gatherInputs(plan.nodes.get('x')!, new Map())).toEqual({});
  });
});

describe('checkOutputs', () => {
  const def = {
    title: 'Probe',
    outputs: [
      { name: 'img', type: 'image' },
      { name: 'list', type: 'image-list' },
      { name: 'text', type: 'text' },
      { name: 'n', type: 'number' },
    ],
  } as unknown as NodeDefinition;
  const good = { img: stubImage('a'), list: [stubImage('b')], text: 'hi', n: 3 };

  it('accepts outputs that match every declared port', () => {
    expect(checkOutputs(def, good)).toEqual({ ok: true, outputs: good });
  });

  it.each([
    ['not an object', null, undefined, /instead of an object/],
    ['a port missing', { ...good, img: undefined }, 'img', /"img" \(image\) is missing/],
    ['an image that is not a reference', { ...good, img: 'x.png' }, 'img', /not an image reference/],
    ['a list that is a single image', { ...good, list: stubImage('b') }, 'list', /not a list/],
    ['a list with a bad item', { ...good, list: [stubImage('b'), {}] }, 'list', /item 1/],
    ['text that is a number', { ...good, text: 1 }, 'text', /not text/],
    ['a number that is NaN', { ...good, n: Number.NaN }, 'n', /not a finite number/],
    ['an undeclared port', { ...good, extra: 1 }, 'extra', /undeclared output.*extra/],
  ])('refuses %s', (_name, value, field, message) => {
    const check = checkOutputs(def, value);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.field).toBe(field);
      expect(check.message).toMatch(message);
    }
  });
});

describe('toErrorInfo', () => {
  it.each([
    [
      'a typed error',
      new StubError('rate-limited', 'slow down', true, 'prompt'),
      { code: 'rate-limited', message: 'slow down', retryable: true, field: 'prompt' },
    ],
    ['a plain error', new Error('bad'), { code: 'node-failed', message: 'bad' }],
    ['a thrown string', 'oops', { code: 'node-failed', message: 'oops' }],
    ['an AbortedError', new AbortedError(), { code: 'aborted', message: 'Aborted' }],
    ['a DOM abort', new DOMException('gone', 'AbortError'), { code: 'aborted', message: 'gone' }],
    [
      'an error naming its request',
      Object.assign(new Error('still running'), { code: 'still-running', requestId: 'req-1' }),
      { code: 'still-running', message: 'still running', requestId: 'req-1' },
    ],
    [
      'an error with details',
      Object.assign(new Error('x'), { code: 'http', details: { status: 500 } }),
      { code: 'http', message: 'x', details: { status: 500 } },
    ],
  ])('maps %s', (_name, err, info) => {
    expect(toErrorInfo(err)).toEqual(info);
  });
});

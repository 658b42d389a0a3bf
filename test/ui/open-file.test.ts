// @vitest-environment happy-dom
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { MAX_WORKFLOW_BYTES, type LoadResult } from '../../app/graph/load-workflow';
import { embedWorkflowInPng } from '../../app/graph/workflow-png';
import { CURRENT_SCHEMA_VERSION } from '../../app/graph/workflow-schema';
import { dropFiles, fileBaseName, namedAfterFile, openWorkflowFile, readWorkflowFile, showLoaded } from '../../app/ui/chrome/open-file';
import { registry } from '../../nodes';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { createTestTabs } from '../fixtures/tab-manager';
import { fakeUiServices } from './render-studio';

const fixtureDir = join(__dirname, '..', 'fixtures', 'workflows');
const comfyFixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'comfyui', name), 'utf8');
const file = (content: BlobPart, name: string, type = '') => new File([content], name, { type });
const png = () => encode({ width: 20, height: 20, data: new Uint8Array(20 * 20 * 3).fill(70), channels: 3 });
const messages = (r: Awaited<ReturnType<typeof readWorkflowFile>>) => r.issues.map((i) => i.message).join(' | ');

describe('readWorkflowFile', () => {
  it.each([
    ['text that is not JSON', file('{"schemaVersion": 2, nodes:', 'a.json'), 'not-json', /not valid JSON/],
    ['JSON of the wrong shape', file(JSON.stringify({ schemaVersion: 2, nodes: 'x', edges: [] }), 'a.json'), 'bad-shape', /nodes/],
    ['a future schema version', file(JSON.stringify({ schemaVersion: 99, nodes: [], edges: [] }), 'a.json'), 'bad-version', /newer/],
    ['an empty file', file('  ', 'a.json'), 'empty-file', /empty/],
    ['a file over the size limit', file(new Uint8Array(MAX_WORKFLOW_BYTES + 1), 'big.json'), 'file-too-large', /at most 5\.0 MiB/],
    ['a PNG without a workflow', file(png() as Uint8Array<ArrayBuffer>, 'plain.png', 'image/png'), 'no-workflow', /carries no workflow/],
    [
      'inlined image data',
      file(
        JSON.stringify({
          ...paidWorkflow(2),
          nodes: [{ id: 'x', kind: 'image.load', kindVersion: 1, position: { x: 0, y: 0 }, params: { image: 'data:image/png;base64,AAAA' } }],
        }),
        'a.json',
      ),
      'bad-shape',
      /data: URI/,
    ],
  ])('refuses %s with a clear message', async (_what, input, code, message) => {
    const result = await readWorkflowFile(input, registry);
    expect(result.ok).toBe(false);
    expect(result.issues[0]?.code).toBe(code);
    expect(messages(result)).toMatch(message);
  });

  it('keeps unknown node kinds as placeholders and reports them', async () => {
    const wf = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      nodes: [{ id: 'x', kind: 'evil.exec', kindVersion: 1, position: { x: 0, y: 0 }, params: { code: 'alert(1)' } }],
      edges: [],
    };
    const result = await readWorkflowFile(file(JSON.stringify(wf), 'x.json'), registry);
    expect(result.ok && result.workflow.nodes[0]?.kind).toBe('evil.exec');
    expect(messages(result)).toMatch(/"evil\.exec".*placeholder/);
  });

  it('opens a graph whose links loop, with a warning naming the loop', async () => {
    const wf = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      nodes: [
        { id: 'a', kind: 'image.merge', kindVersion: 1, position: { x: 0, y: 0 }, params: {} },
        { id: 'b', kind: 'image.merge', kindVersion: 1, position: { x: 300, y: 0 }, params: {} },
      ],
      edges: [
        { id: 'e1', source: { node: 'a', port: 'images' }, target: { node: 'b', port: 'images' } },
        { id: 'e2', source: { node: 'b', port: 'images' }, target: { node: 'a', port: 'images' } },
      ],
    };
    const result = await readWorkflowFile(file(JSON.stringify(wf), 'loop.json'), registry);
    expect(result.ok).toBe(true);
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'cycle', message: expect.stringMatching(/a → b → a/) }));
  });

  it('reads the workflow a PNG carries', async () => {
    const embedded = embedWorkflowInPng(png(), paidWorkflow(4));
    if (!embedded.ok) throw new Error(embedded.message);
    const result = await readWorkflowFile(file(embedded.bytes as Uint8Array<ArrayBuffer>, 'shot-01.png', 'image/png'), registry);
    expect(result.ok && result.workflow).toEqual(paidWorkflow(4));
  });

  it.each(readdirSync(fixtureDir).filter((f) => f.endsWith('.json')))('opens the saved fixture %s through the import path', async (name) => {
    const text = readFileSync(join(fixtureDir, name), 'utf8');
    const result = await readWorkflowFile(file(text, name), registry);
    expect(result.ok).toBe(true);
  });
});

describe('dropFiles', () => {
  it('opens a dropped PNG that carries a workflow instead of adding an image node', async () => {
    const t = createTestStore();
    const embedded = embedWorkflowInPng(png(), paidWorkflow(5));
    if (!embedded.ok) throw new Error(embedded.message);
    const imported: string[] = [];
    const services = fakeUiServices({ importImage: async (_f, name) => (imported.push(name ?? ''), { ok: false, message: 'no' }) });
    await dropFiles(t.store, services, [file(embedded.bytes as Uint8Array<ArrayBuffer>, 'board-01.png', 'image/png')], { x: 0, y: 0 });
    expect(t.store.getState().workflow).toEqual(paidWorkflow(5));
    expect(imported).toEqual([]);
    expect(t.store.getState().notice?.text).toMatch(/Opened “board-01\.png”/);
  });

  it('adds a plain PNG as a Load Image node', async () => {
    const t = createTestStore();
    const ref = { kind: 'asset' as const, assetId: 'c'.repeat(64), mime: 'image/png' as const };
    const services = fakeUiServices({ importImage: async () => ({ ok: true, ref }) });
    await dropFiles(t.store, services, [file(png() as Uint8Array<ArrayBuffer>, 'ref.png', 'image/png')], { x: 10, y: 20 });
    expect(t.store.getState().workflow.nodes).toEqual([expect.objectContaining({ kind: 'image.load', params: { image: ref } })]);
  });

  it('opens a dropped workflow .json, and leaves the canvas alone when it is hostile', async () => {
    const t = createTestStore(paidWorkflow(3));
    await dropFiles(t.store, fakeUiServices(), [file('<script>window.__pwned = 1</script>', 'evil.json', 'application/json')], { x: 0, y: 0 });
    expect(t.store.getState().workflow).toEqual(paidWorkflow(3));
    expect(t.store.getState().notice).toMatchObject({
      tone: 'error',
      text: expect.stringMatching(/“evil\.json” could not be opened: This file is not valid JSON/),
    });
    expect((window as { __pwned?: unknown }).__pwned).toBeUndefined();
  });
});

const loaded = (name: string | undefined, notes: string[] = []): LoadResult => {
  const wf = paidWorkflow(3);
  const { name: _old, ...meta } = wf.meta;
  return {
    ok: true,
    workflow: { ...wf, meta: name === undefined ? meta : { ...meta, name } },
    issues: [],
    fromVersion: wf.schemaVersion,
    migrations: [],
    notes,
  };
};

describe('fileBaseName', () => {
  it.each([
    ['seedream-story.json', 'seedream-story'],
    ['seedream-story.api.json', 'seedream-story.api'],
    ['ComfyUI_00001_.png', 'ComfyUI_00001_'],
    ['no-extension', 'no-extension'],
    ['.json', undefined],
  ])('turns %s into %s', (name, base) => {
    expect(fileBaseName(name)).toBe(base);
  });
});

describe('namedAfterFile', () => {
  it.each([
    ['no name of its own', undefined, 'story'],
    ['an empty name', '  ', 'story'],
    ['the ComfyUI importer’s default name', 'ComfyUI workflow', 'story'],
    ['a name of its own', 'My board', 'My board'],
  ])('names the workflow %s after its file', (_what, name, expected) => {
    const r = loaded(name);
    if (!r.ok) throw new Error('fixture');
    expect(namedAfterFile(r.workflow, 'story.json').meta.name).toBe(expected);
  });
});

describe('showLoaded', () => {
  it('shows what opening found as a report (a heading and one line per note) when there are notes', () => {
    const t = createTestStore();
    expect(showLoaded(t.store, loaded('x', ['Imported a ComfyUI workflow: 3 of 3 nodes mapped.', 'Groups are not imported.']), '“x.json”')).toBe(true);
    expect(t.store.getState().notice).toMatchObject({
      text: 'Opened “x.json”.',
      tone: 'info',
      lines: ['Imported a ComfyUI workflow: 3 of 3 nodes mapped.', 'Groups are not imported.'],
    });
  });

  it('shows a short notice without lines when opening found nothing to say', () => {
    const t = createTestStore();
    showLoaded(t.store, loaded('x'), '“x.json”');
    expect(t.store.getState().notice?.text).toBe('Opened “x.json”.');
    expect(t.store.getState().notice?.lines).toBeUndefined();
  });

  it('asks the canvas for the opening fit of the graph it opened', () => {
    const t = createTestStore();
    const before = t.store.getState().fitViewRequest;
    showLoaded(t.store, loaded('x'), '“x.json”');
    expect(t.store.getState().fitViewRequest).toBe(before + 1);
  });
});

describe('openWorkflowFile', () => {
  it('names the tab after the file when a ComfyUI workflow is opened, and reports the import line by line', async () => {
    const t = createTestTabs();
    const opened = await openWorkflowFile(t.tabs.active(), registry, file(comfyFixture('seedream-story.ui.json'), 'seedream-story.json', 'application/json'));
    expect(opened).toBe(true);
    expect(t.tabs.state.getState().tabs.map((tab) => tab.title)).toEqual(['seedream-story']);
    const notice = t.tabs.active().getState().notice;
    expect(notice?.text).toBe('Opened “seedream-story.json”.');
    expect(notice?.lines?.[0]).toMatch(/^Imported a ComfyUI workflow \(UI format\): \d+ of 10 nodes mapped/);
    expect(notice?.lines?.length).toBeGreaterThan(3);
  });
});

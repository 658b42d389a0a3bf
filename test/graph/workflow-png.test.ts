import { importComfyWorkflow } from '../../app/graph/comfyui/import-comfy-workflow';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../app/graph/load-workflow';
import { embedWorkflowInPng, PNG_WORKFLOW_KEYWORD, workflowFromPng, workflowTextFromPng } from '../../app/graph/workflow-png';
import type { Workflow } from '../../app/graph/workflow-schema';
import { insertPngText } from '../../app/lib/png-text';
import { findBuiltinTemplate } from '../../app/templates';
import { registry } from '../../nodes';

/** The editor and CLI load the importer on demand (load-any-workflow.ts); these tests hand it over. */
const withImporter = { importComfy: importComfyWorkflow };

const png = () => encode({ width: 2, height: 2, channels: 3, depth: 8, data: new Uint8Array(12).fill(200) });

function storyboard(): Workflow {
  const loaded = loadWorkflow(findBuiltinTemplate('storyboard')!.workflow, registry, withImporter);
  if (!loaded.ok) throw new Error('storyboard does not load');
  return loaded.workflow;
}

const textChunk = (keyword: string, text: string) => {
  const r = insertPngText(png(), keyword, text);
  if (!r.ok) throw new Error(r.message);
  return r.bytes;
};

describe('embedWorkflowInPng', () => {
  it('restores the same workflow from the PNG when it is read back', () => {
    const wf = storyboard();
    wf.meta.name = 'Ночная сцена — 夜';
    const out = embedWorkflowInPng(png(), wf);
    if (!out.ok) throw new Error(out.message);
    expect(() => decode(out.bytes, { checkCrc: true })).not.toThrow();
    const back = workflowFromPng(out.bytes, registry, withImporter);
    expect(back.ok && back.workflow).toEqual(wf);
    expect(back.ok && back.issues).toEqual([]);
  });

  it('reports a failure instead of throwing when the workflow cannot be written as JSON', () => {
    const wf = storyboard();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    wf.nodes[0]!.params.extra = deep;
    let out: ReturnType<typeof embedWorkflowInPng> | undefined;
    expect(() => (out = embedWorkflowInPng(png(), wf))).not.toThrow();
    expect(out).toMatchObject({ ok: false, code: 'workflow-not-serialisable', message: expect.stringMatching(/could not be written as JSON/) });
  });

  it('uses the keyword ComfyUI uses for its graph', () => {
    expect(PNG_WORKFLOW_KEYWORD).toBe('workflow');
  });
});

describe('workflowFromPng', () => {
  it('says the PNG carries no workflow when it has only other text chunks', () => {
    const r = workflowFromPng(textChunk('parameters', 'a photo of a cat, Steps: 20'), registry, withImporter);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'no-workflow', message: 'This PNG carries no workflow.' }] });
  });

  it('recognises a ComfyUI graph and says so instead of listing shape errors', () => {
    const comfy = JSON.stringify({ last_node_id: 9, last_link_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [] });
    const r = workflowFromPng(textChunk('workflow', comfy), registry, withImporter);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'comfyui-workflow', message: expect.stringMatching(/ComfyUI workflow/) }] });
  });

  it.each([
    ['text that is not JSON', 'not json {', /not valid JSON/],
    ['a workflow from a newer version', JSON.stringify({ schemaVersion: 99, nodes: [], edges: [] }), /newer Sequence Studio/],
  ])('explains %s in the workflow chunk', (_case, text, message) => {
    const r = workflowFromPng(textChunk('workflow', text), registry, withImporter);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.message).toMatch(message);
  });

  it('refuses bytes that are not a PNG with a clear message', () => {
    const r = workflowFromPng(new TextEncoder().encode('{"schemaVersion":2}'), registry, withImporter);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'not-png', message: expect.stringMatching(/not a PNG/) }] });
  });

  it('refuses a truncated PNG with a clear message', () => {
    const r = workflowFromPng(png().subarray(0, 30), registry, withImporter);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'bad-png', message: expect.stringMatching(/cut short/) }] });
  });
});

describe('workflowTextFromPng', () => {
  it('returns the raw JSON text of the workflow chunk when there is one', () => {
    expect(workflowTextFromPng(textChunk('workflow', '{"a":1}'))).toEqual({ ok: true, text: '{"a":1}' });
  });
});

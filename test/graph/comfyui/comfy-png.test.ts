import { importComfyWorkflow } from '../../../app/graph/comfyui/import-comfy-workflow';
import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { workflowFromPng, workflowTextFromPng } from '../../../app/graph/workflow-png';
import { insertPngText } from '../../../app/lib/png-text';
import { registry } from '../../../nodes';

/** The editor and CLI load the importer on demand (load-any-workflow.ts); these tests hand it over. */
const withImporter = { importComfy: importComfyWorkflow };

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/comfyui/${name}`, import.meta.url), 'utf8');

/** A PNG with text chunks, as ComfyUI's SaveImage writes them (`prompt` first, then `workflow`). */
function pngWith(chunks: [string, string][]): Uint8Array {
  let bytes = encode({ width: 2, height: 2, channels: 3, depth: 8, data: new Uint8Array(12).fill(90) });
  for (const [keyword, text] of chunks) {
    const r = insertPngText(bytes, keyword, text);
    if (!r.ok) throw new Error(r.message);
    bytes = r.bytes;
  }
  return bytes;
}

describe('workflowFromPng with a ComfyUI PNG', () => {
  it('imports the UI-format workflow chunk, which keeps positions and titles', () => {
    const r = workflowFromPng(
      pngWith([
        ['prompt', fixtureText('seedream-story.api.json')],
        ['workflow', fixtureText('seedream-story.ui.json')],
      ]),
      registry,
      withImporter,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notes[0]).toMatch(/\(UI format\)/);
    expect(r.workflow.nodes.find((n) => n.id === 'load-10')?.position).toEqual({ x: 40, y: 120 });
  });

  it('imports the API-format prompt chunk when there is no workflow chunk', () => {
    const bytes = pngWith([['prompt', fixtureText('seedream-story.api.json')]]);
    expect(workflowTextFromPng(bytes).ok).toBe(true);
    const r = workflowFromPng(bytes, registry, withImporter);
    expect(r.ok && r.notes[0]).toMatch(/\(API format\)/);
    expect(r.ok && r.workflow.nodes.some((n) => n.kind === 'seedream.edit-sequential')).toBe(true);
  });

  it('ignores a prompt chunk that is plain text, as other tools write', () => {
    const r = workflowFromPng(pngWith([['prompt', 'a cat on a sofa, 4k']]), registry, withImporter);
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'no-workflow' }] });
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedWorkflowInPng } from '../../../app/graph/workflow-png';
import { UsageError } from '../../../app/server/cli/args';
import { loadSource } from '../../../app/server/cli/workflow-source';
import { registry } from '../../../nodes';
import { graph } from '../../fixtures/graph-builder';

const png = () => encode({ width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).fill(90), channels: 3, depth: 8 });
const saved = () =>
  graph({ name: 'From a Save' })
    .node('n1', 'image.load')
    .node('n2', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a lighthouse', maxImages: 2 })
    .node('n3', 'image.save')
    .edge('n1.image', 'n2.images')
    .edge('n2.images', 'n3.images')
    .build();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workflow-source-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('loadSource', () => {
  it('runs the workflow a PNG carries, when given a PNG that Save wrote', async () => {
    const embedded = embedWorkflowInPng(png(), saved());
    if (!embedded.ok) throw new Error(embedded.message);
    await writeFile(join(dir, 'shot.png'), embedded.bytes);
    const source = await loadSource('shot.png', registry, dir);
    expect(source.origin).toBe(join(dir, 'shot.png'));
    expect(source.workflow.meta.name).toBe('From a Save');
    expect(source.workflow.nodes.map((n) => n.kind)).toEqual(['image.load', 'seedream.edit-sequential', 'image.save']);
  });

  it('says the PNG carries no workflow, when given a plain picture', async () => {
    await writeFile(join(dir, 'plain.png'), png());
    const error = await loadSource('plain.png', registry, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/plain\.png/);
    expect((error as Error).message).toMatch(/workflow/i);
  });

  it('still reads a JSON workflow file, and names templates when the source is neither', async () => {
    await writeFile(join(dir, 'wf.json'), JSON.stringify(saved()));
    expect((await loadSource('wf.json', registry, dir)).workflow.nodes).toHaveLength(3);
    await expect(loadSource('nope', registry, dir)).rejects.toThrow(/neither a workflow file nor a template id/);
  });
});

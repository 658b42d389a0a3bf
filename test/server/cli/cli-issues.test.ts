import { describe, expect, it } from 'vitest';
import { planRun } from '../../../app/engine/plan';
import type { Workflow } from '../../../app/graph/workflow-schema';
import { cliIssues } from '../../../app/server/cli/cli-issues';
import { registry } from '../../../nodes';
import { graph } from '../../fixtures/graph-builder';

const story = (meta: Workflow['meta'] = {}) =>
  graph(meta)
    .node('portrait', 'image.load')
    .node('gen', 'seedream.edit-sequential', { prompt: 'Generate 2 images of a lighthouse', maxImages: 2 })
    .node('save', 'image.save')
    .edge('portrait.image', 'gen.images')
    .edge('gen.images', 'save.images')
    .build();

/** The plan's issues of `code` as the command line words them. */
function said(wf: Workflow, code = 'image-missing') {
  const issues = cliIssues(wf, registry);
  return planRun(wf, registry)
    .issues.filter((i) => i.code === code)
    .map((i) => issues.reword(i));
}

describe('cliIssues', () => {
  it('names the --set of the node param when a Load Image has no image', () => {
    expect(said(story())).toEqual([
      expect.objectContaining({
        severity: 'error',
        nodeId: 'portrait',
        field: 'image',
        message: 'No image: give it with --set portrait.image=<file path or https URL>.',
      }),
    ]);
  });

  it('names the template field when the image is one', () => {
    const fields = [{ id: 'face', label: 'Face', target: { node: 'portrait', param: 'image' }, useDefault: true }];
    expect(said(story({ template: { fields } }))[0]?.message).toBe('No image: give it with --set face=<file path or https URL>.');
  });

  it('names the file ComfyUI used when the node stood for one', () => {
    const wf = story({ comfyui: { format: 'ui', inputFiles: [{ node: 'portrait', file: 'me.png' }] } });
    expect(said(wf)[0]?.message).toBe('No image (ComfyUI used me.png): give it with --set portrait.image=<path to me.png, or an https URL>.');
  });

  it('knows the import report already named a ComfyUI placeholder the run does not need, and only that', () => {
    const wf = story({ comfyui: { format: 'ui', inputFiles: [] } });
    wf.nodes.push({ id: 'comfy-14', kind: 'comfyui.ImageScaleBy', kindVersion: 1, params: {}, position: { x: 0, y: 0 } });
    const issues = cliIssues(wf, registry);
    const placeholder = planRun(wf, registry).issues.find((i) => i.code === 'unknown-kind')!;
    expect(placeholder).toMatchObject({ severity: 'warning', nodeId: 'comfy-14' });
    expect(issues.alreadySaid(placeholder)).toBe(true);
    // Refusing the run is news, and so is any other issue.
    expect(issues.alreadySaid({ ...placeholder, severity: 'error' })).toBe(false);
    expect(issues.alreadySaid(planRun(wf, registry).issues.find((i) => i.code === 'image-missing')!)).toBe(false);
  });

  it('leaves other issues as the planner wrote them', () => {
    const wf = story();
    wf.nodes[1]!.params.maxImages = 99;
    const issues = cliIssues(wf, registry);
    const other = planRun(wf, registry).issues.find((i) => i.code !== 'image-missing')!;
    expect(issues.reword(other)).toBe(other);
  });
});

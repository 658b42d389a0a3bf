import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../app/engine/events';
import { buildManifest, zManifest } from '../../../app/server/cli/manifest';
import { registry } from '../../../nodes';
import { graph } from '../../fixtures/graph-builder';

describe('buildManifest', () => {
  it('names each node by its own title or its kind title, and says why skipped nodes did not run, when built', () => {
    const workflow = graph()
      .node('gen', 'seedream.edit-sequential', {}, { title: 'Hero shot', mode: 'bypass' })
      .node('view', 'image.preview')
      .node('gen2', 'seedream.edit-sequential', {}, { mode: 'mute' })
      .build();
    const summary: RunSummary = {
      runId: 'r',
      status: 'succeeded',
      durationMs: 5,
      counts: { planned: 3, done: 1, cached: 0, failed: 0, skipped: 2 },
      issues: [],
      nodes: new Map([
        ['gen', { status: 'skipped', reason: 'bypassed' }],
        ['view', { status: 'done', cacheKey: 'k', outputs: {}, meta: {} }],
        ['gen2', { status: 'skipped', reason: 'muted' }],
      ]),
    };
    const manifest = buildManifest({
      summary,
      workflow,
      origin: 'wf.json',
      mode: 'simulator',
      startedAt: new Date(0),
      durationMs: 5,
      requests: [],
      files: [],
      registry,
    });
    expect(manifest.nodes.map((n) => [n.id, n.title, n.status, n.reason])).toEqual([
      ['gen', 'Hero shot', 'skipped', 'bypassed'],
      ['view', 'Preview', 'done', undefined],
      ['gen2', 'Seedream 4.5 Edit Sequential', 'skipped', 'muted'],
    ]);
    expect(zManifest.safeParse(JSON.parse(JSON.stringify(manifest))).success).toBe(true);
  });
});

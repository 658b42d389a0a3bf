import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { ParamMeta } from '../../app/graph/node-definition';
import { PORT_TYPES } from '../../app/graph/ports';
import { nodeDefinitions, registry } from '../../nodes/index';

const defs = nodeDefinitions.map((d) => [d.kind, d] as const);

describe('node registry', () => {
  it('lists every definition under a unique kind when built', () => {
    const kinds = nodeDefinitions.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(registry.list()).toEqual(nodeDefinitions);
    for (const kind of kinds) expect(registry.get(kind)?.kind).toBe(kind);
  });

  it('holds the built-in kinds when imported', () => {
    expect(nodeDefinitions.map((d) => d.kind).sort()).toEqual(
      ['image.load', 'image.merge', 'image.preview', 'image.save', 'image.select', 'seedream.edit-sequential', 'text.prompt'].sort(),
    );
  });
});

describe.each(defs)('node definition %s', (kind, def) => {
  it('has a namespaced kind, a version and palette text when declared', () => {
    expect(kind).toMatch(/^[a-z]+\.[a-z-]+$/);
    expect(Number.isInteger(def.version) && def.version >= 1).toBe(true);
    expect(def.title).not.toBe('');
    expect(['Input', 'Generate', 'Frames', 'Output']).toContain(def.category);
    expect(def.description).toMatch(/^[A-Z].{15,}\.$/);
  });

  it('parses {} into a complete set of params when creating a node', () => {
    expect(def.params.safeParse({}).success).toBe(true);
  });

  it('labels every param with UI metadata when declared', () => {
    for (const [name, field] of Object.entries(def.params.shape)) {
      const meta = (field as z.ZodType).meta() as ParamMeta | undefined;
      expect(meta?.label, `${kind}.${name}`).toBeTruthy();
      expect(meta?.widget, `${kind}.${name}`).toBeTruthy();
    }
  });

  it('declares typed, labelled ports with unique names when declared', () => {
    for (const ports of [def.inputs, def.outputs]) {
      const names = ports.map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      for (const p of ports) {
        expect(PORT_TYPES).toContain(p.type);
        expect(p.label).toBeTruthy();
      }
    }
  });

  it('only lets image-list inputs be multiple when declared', () => {
    for (const p of def.inputs.filter((i) => i.multiple)) expect(p.type).toBe('image-list');
    for (const p of def.outputs) expect(p.multiple ?? false).toBe(false);
  });

  it('replaces only params it has when an input replaces a param', () => {
    for (const p of def.inputs.filter((i) => i.replacesParam)) {
      expect(Object.keys(def.params.shape)).toContain(p.replacesParam);
    }
  });

  it('marks output nodes consistently when declared', () => {
    if (def.category === 'Output') expect(def.isOutput).toBe(true);
    else expect(def.isOutput ?? false).toBe(false);
    if (def.alwaysRun) expect(def.isOutput).toBe(true);
  });
});

describe('alwaysRun', () => {
  it('is set only on free local sinks when declared', () => {
    expect(nodeDefinitions.filter((d) => d.alwaysRun).map((d) => d.kind)).toEqual(['image.save']);
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

/**
 * Imports point one way: graph ← nodes ← engine ← (store, ui, server); the ledger sits beside the
 * engine (graph, api's neutral contracts) and is wired to it by the hosts. The core (model, lib,
 * graph, nodes, engine, templates) is identical in the browser and in Node: no React, no Node
 * built-ins, no API client, no server.
 */
const RULES: [string, RegExp][] = [
  ['app/model', /^(react|node:)|\/(graph|engine|api|ledger|server|store|ui|browser)\/|nodes/],
  ['app/lib', /^(react|node:)|\/(graph|engine|api|ledger|server|store|ui|browser|model)\/|nodes/],
  ['app/graph', /^(react|node:)|\/(engine|api|ledger|server|store|ui|browser|templates)\/|nodes/],
  ['nodes', /^(react|node:)|\/(engine|api|ledger|server|store|ui|browser|templates)\//],
  ['app/engine', /^(react|node:)|\/(api|ledger|server|store|ui|browser|templates)\//],
  ['app/api', /^(react|node:)|\/(engine|ledger|server|store|ui|browser|templates)\/|nodes/],
  // The ledger is provider-neutral: it speaks the provider interface, never RunComfy's wire.
  ['app/ledger', /^(react|node:)|\/(engine|server|store|ui|browser|templates)\/|nodes|api\/runcomfy/],
  ['app/templates', /^(react|node:)|\/(engine|api|ledger|server|store|ui|browser)\/|nodes/],
  // Batch runs are shared by the CLI and the editor's Batch dialog: no Node, no React, no host, provider-neutral.
  ['app/batch', /^(react|node:)|\/(server|store|ui|browser)\/|api\/runcomfy|nodes/],
];

describe('architecture', () => {
  for (const [dir, forbidden] of RULES) {
    const files = sources(join(root, dir));
    it(`${dir} has sources`, () => expect(files.length).toBeGreaterThan(0));
    it.each(files.map((f) => [relative(root, f), f]))(`%s imports only what ${dir} may`, (_name, file) => {
      expect(importsOf(file).filter((spec) => forbidden.test(spec))).toEqual([]);
    });
  }
});

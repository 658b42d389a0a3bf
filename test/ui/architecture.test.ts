import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);

describe('editor architecture', () => {
  const files = [...sources(join(root, 'app', 'ui')), ...sources(join(root, 'app', 'store'))];

  it('finds the editor sources', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s never imports the API client or the server', (_name, file) => {
    const bad = importsOf(file).filter((spec) => /(^|\/)(api|server)(\/|$)/.test(spec));
    expect(bad).toEqual([]);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s never mentions an API token', (_name, file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(/token/i);
  });

  it('keeps every editor module under 300 lines', () => {
    const long = files.filter((f) => readFileSync(f, 'utf8').split('\n').length > 300).map((f) => f.slice(root.length + 1));
    expect(long).toEqual([]);
  });
});

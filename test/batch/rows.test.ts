import { describe, expect, it } from 'vitest';
import { formatOfName, idProblem, parseRows, sniffFormat } from '../../app/batch/rows';

describe('parseRows (CSV)', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, numbering rows by their first line', () => {
    const t = parseRows('character,scenes\r\na.png,"forest, beach"\nb.png,"say ""hi""\non two lines"\nc.png,plain\n', 'csv');
    expect(t.problems).toEqual([]);
    expect(t.columns).toEqual(['character', 'scenes']);
    expect(t.rows).toEqual([
      { line: 2, id: '0001', cells: { character: 'a.png', scenes: 'forest, beach' } },
      { line: 3, id: '0002', cells: { character: 'b.png', scenes: 'say "hi"\non two lines' } },
      { line: 5, id: '0003', cells: { character: 'c.png', scenes: 'plain' } },
    ]);
  });

  it('keeps a quote inside an unquoted cell as text, as spreadsheets write it', () => {
    expect(parseRows('scenes\na 5" screen\n', 'csv').rows[0]!.cells.scenes).toBe('a 5" screen');
  });

  it('strips a byte-order mark and skips blank lines', () => {
    const t = parseRows('\ufeffid,scenes\n\nx,one\n\n', 'csv');
    expect(t.hasIdColumn).toBe(true);
    expect(t.rows).toEqual([{ line: 3, id: 'x', cells: { scenes: 'one' } }]);
  });

  it('reports a row with the wrong number of cells by its line and keeps the others', () => {
    const t = parseRows('a,b\n1,2\n1,2,3\n4,5\n', 'csv');
    expect(t.rows.map((r) => r.line)).toEqual([2, 4]);
    expect(t.problems).toMatchObject([{ line: 3, code: 'cell-count' }]);
    expect(t.problems[0]!.fatal).toBeUndefined();
  });

  it('refuses the whole table at an unclosed quote, naming the line and character where it opened', () => {
    const t = parseRows('a,b\n1,2\n3,"never closed\n4,5\n', 'csv');
    expect(t.problems).toMatchObject([{ line: 3, code: 'syntax', fatal: true }]);
    expect(t.problems[0]!.message).toMatch(/character 3/);
  });

  it('reports text after a closing quote on its line', () => {
    const t = parseRows('a,b\n"x"y,2\n3,4\n', 'csv');
    expect(t.problems).toMatchObject([{ line: 2, code: 'syntax' }]);
    expect(t.rows.map((r) => r.line)).toEqual([3]);
  });

  it.each([
    ['a,a\n1,2', 'header-duplicate'],
    ['a,,b\n1,2,3', 'header-empty'],
    ['', 'header-missing'],
  ])('refuses the header %j (%s)', (text, code) => {
    const t = parseRows(text, 'csv');
    expect(t.problems.some((p) => p.code === code && p.fatal)).toBe(true);
  });

  it('refuses ids that are not folder-safe and duplicate ids ignoring case, naming the line', () => {
    const t = parseRows('id,p\nok,1\n../x,2\nOK,3\n,4\n', 'csv');
    expect(t.rows.map((r) => r.id)).toEqual(['ok', '0004']);
    expect(t.problems).toMatchObject([
      { line: 3, column: 'id', code: 'id-invalid' },
      { line: 4, column: 'id', code: 'id-duplicate' },
    ]);
    expect(t.problems[1]!.message).toMatch(/line 2/);
  });
});

describe('parseRows (TSV, JSONL)', () => {
  it('reads TSV with the same quoting rules', () => {
    const t = parseRows('id\tscenes\nr1\t"tab\tinside"\n', 'tsv');
    expect(t.rows).toEqual([{ line: 2, id: 'r1', cells: { scenes: 'tab\tinside' } }]);
  });

  it('reads JSONL objects, keeping JSON values, with columns in order of first appearance', () => {
    const t = parseRows('{"id":"a","scenes":"x","maxImages":3}\n\n{"scenes":"y","gen.seed":7}\n', 'jsonl');
    expect(t.columns).toEqual(['scenes', 'maxImages', 'gen.seed']);
    expect(t.rows).toEqual([
      { line: 1, id: 'a', cells: { scenes: 'x', maxImages: 3 } },
      { line: 3, id: '0002', cells: { scenes: 'y', 'gen.seed': 7 } },
    ]);
  });

  it('reports a line that is not a JSON object by its number', () => {
    const t = parseRows('{"a":1}\n[1,2]\n{bad\n', 'jsonl');
    expect(t.problems).toMatchObject([
      { line: 2, code: 'not-an-object' },
      { line: 3, code: 'syntax' },
    ]);
    expect(t.rows).toHaveLength(1);
  });
});

describe('row ids and formats', () => {
  it.each([
    ['sku-001', undefined],
    ['a.b_c', undefined],
    ['.hidden', /start with a letter or digit/],
    ['a/b', /only letters/],
    ['con', /reserved/],
    ['trailing.', /end with/],
    ['batch.json', /batch.json/],
    ['x'.repeat(65), /64/],
  ])('idProblem(%j)', (id, problem) => {
    const found = idProblem(id);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it('tells the format from a file name or from pasted text', () => {
    expect([formatOfName('rows.CSV'), formatOfName('x.tsv'), formatOfName('x.ndjson'), formatOfName('x.txt')]).toEqual(['csv', 'tsv', 'jsonl', undefined]);
    expect([sniffFormat('{"a":1}'), sniffFormat('a\tb\n1\t2'), sniffFormat('a,b')]).toEqual(['jsonl', 'tsv', 'csv']);
  });
});

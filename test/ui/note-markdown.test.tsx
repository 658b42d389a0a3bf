import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import NoteMarkdown, { parseBlocks, safeHref } from '../../app/ui/canvas/note-markdown';

const html = (text: string) => renderToStaticMarkup(createElement(NoteMarkdown, { text }));

/** Every href in rendered markup. */
const hrefs = (markup: string) => [...markup.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);

describe('NoteMarkdown', () => {
  it('renders headings, emphasis, code, lists, quotes and links when the markdown is ordinary', () => {
    const out = html(
      [
        '# Plan',
        'Use **two** references, *then* `Select`.',
        'Second line ~~old~~',
        '',
        '- one',
        '- two',
        '',
        '1. first',
        '',
        '> quoted',
        '',
        '```',
        'raw <b>',
        '```',
        '---',
        'See [docs](https://example.com/a?b=1) or <mailto:me@example.com>.',
      ].join('\n'),
    );
    expect(out).toContain('<h3>Plan</h3>');
    expect(out).toContain('<p>Use <strong>two</strong> references, <em>then</em> <code>Select</code>.<br/>Second line <del>old</del></p>');
    expect(out).toContain('<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol><blockquote>quoted</blockquote>');
    expect(out).toContain('<pre><code>raw &lt;b&gt;</code></pre><hr/>');
    expect(out).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">docs</a>');
    expect(hrefs(out)).toEqual(['https://example.com/a?b=1', 'mailto:me@example.com']);
  });

  it.each([
    ['a script tag', '<script>window.__pwned = 1</script>'],
    ['an image with an onerror handler', '<img src=x onerror="window.__pwned = 1">'],
    ['an iframe', '<iframe src="https://evil.example"></iframe>'],
    ['a javascript: link', '[click](javascript:window.__pwned=1)'],
    ['a javascript: link in mixed case', '[click](JaVaScRiPt:alert(1))'],
    ['a javascript: link with a tab inside', '[click](java\tscript:alert(1))'],
    ['a data: link', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['a vbscript: autolink', '<vbscript:msgbox(1)>'],
    ['a protocol-relative link', '[click](//evil.example/x)'],
    ['a relative link', '[click](/api/secrets)'],
    ['an HTML link', '<a href="javascript:alert(1)">x</a>'],
    ['an attribute break-out in a link', '[x](https://e.example/"onmouseover="alert(1))'],
  ])('renders %s as inert text', (_case, text) => {
    const out = html(text);
    expect(out).not.toMatch(/<(script|img|iframe|svg|object|embed|style)\b/i);
    // Text is escaped (&lt;), so every "<" left is a real tag: none may carry a handler.
    expect(out).not.toMatch(/<[^>]*\son\w+=/i);
    for (const href of hrefs(out)) expect(href).toMatch(/^(https?:\/\/|mailto:)/);
    expect(out).not.toMatch(/href="(?!https?:|mailto:)/);
  });

  it('stays fast on a hostile note of 10,000 characters', () => {
    const hostile = ['*'.repeat(10_000), '_a'.repeat(5_000), '[x]('.repeat(2_500), '**a'.repeat(3_333), '`'.repeat(10_000)];
    for (const text of hostile) expect(() => html(text)).not.toThrow();
  });
});

describe('safeHref', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['http://example.com/x', 'http://example.com/x'],
    ['mailto:a@b.c', 'mailto:a@b.c'],
    ['javascript:alert(1)', undefined],
    ['file:///etc/passwd', undefined],
    ['ftp://example.com', undefined],
    ['', undefined],
  ])('gives %s → %s', (raw, expected) => {
    expect(safeHref(raw)).toBe(expected);
  });
});

describe('parseBlocks', () => {
  it('keeps an unclosed code fence as code to the end when the fence never closes', () => {
    expect(parseBlocks('```\na\nb')).toEqual([{ kind: 'code', text: 'a\nb' }]);
  });
});

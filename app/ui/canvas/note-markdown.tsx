import type { ReactNode } from 'react';

/**
 * A small, safe markdown renderer for notes: it builds React elements from a subset of markdown
 * (headings, paragraphs with line breaks, lists, quotes, code, rules; bold, italic,
 * strikethrough, inline code, links) and never parses HTML: `<b>` or `<script>` in a note is
 * shown as the text it is, because every piece of text reaches the DOM through React as text.
 * Links open in a new tab with `rel="noopener noreferrer"`, and only `http:`, `https:` and
 * `mailto:` links become links at all; anything else stays text.
 *
 * Hand-written instead of a markdown library: the editor's first screen is over its script
 * budget, and the libraries that fit (micromark, marked, markdown-it) all produce HTML strings
 * that then need a sanitiser; this module is loaded only when a note is drawn.
 */

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The href for a link target, or undefined when it is not an absolute http(s) or mailto URL. */
export function safeHref(raw: string): string | undefined {
  const text = raw.trim();
  // Control characters and spaces let browsers read "java\tscript:" as a scheme: refuse them outright.
  if (!text || [...text].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}

/** Inline spans are bounded (no span runs past a line or 500 characters), so a hostile note cannot make the pattern slow. */
const INLINE =
  /(`{1,3})([^`\n]{1,500}?)\1|\*\*([^\n]{1,500}?)\*\*|__([^\n]{1,500}?)__|~~([^\n]{1,500}?)~~|\*([^*\s][^*\n]{0,500}?)\*|\b_([^_\s][^_\n]{0,500}?)_\b|\[([^\]\n]{0,500})\]\(([^()\s]{1,2000})\)|<((?:https?:\/\/|mailto:)[^>\s]{1,2000})>|(https?:\/\/[^\s<>()]{1,2000}[^\s<>().,:;"'!?])/g;

/** Nesting of emphasis inside emphasis beyond this is shown as text. */
const MAX_DEPTH = 4;

function link(href: string | undefined, children: ReactNode, key: number, raw: string): ReactNode {
  if (!href) return raw;
  return (
    <a key={key} href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** Inline markdown of one block as React nodes. */
export function renderInline(text: string, depth = 0): ReactNode[] {
  if (depth > MAX_DEPTH) return [text];
  const out: ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const [whole, , code, bold, bold2, strike, em, em2, label, target, auto, bare] = m;
    const inner = (s: string) => renderInline(s, depth + 1);
    if (code !== undefined) out.push(<code key={key}>{code}</code>);
    else if (bold !== undefined || bold2 !== undefined) out.push(<strong key={key}>{inner(bold ?? bold2!)}</strong>);
    else if (strike !== undefined) out.push(<del key={key}>{inner(strike)}</del>);
    else if (em !== undefined || em2 !== undefined) out.push(<em key={key}>{inner(em ?? em2!)}</em>);
    else if (target !== undefined) out.push(link(safeHref(target), inner(label ?? ''), key, whole));
    else if (auto !== undefined) out.push(link(safeHref(auto), auto, key, whole));
    else if (bare !== undefined) out.push(link(safeHref(bare), bare, key, whole));
    key++;
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A paragraph's lines with their breaks kept (notes are written line by line). */
function lines(text: string[]): ReactNode[] {
  return text.flatMap((line, i) => (i === 0 ? renderInline(line) : [<br key={`br${i}`} />, ...renderInline(line)]));
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'quote'; lines: string[] }
  | { kind: 'rule' }
  | { kind: 'paragraph'; lines: string[] };

const LIST_ITEM = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/;

/** Splits markdown into blocks, line by line (linear in the text). */
export function parseBlocks(markdown: string): Block[] {
  const src = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: 'paragraph', lines: para });
    para = [];
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i]!;
    if (/^\s{0,3}```/.test(line)) {
      flush();
      const code: string[] = [];
      for (i++; i < src.length && !/^\s{0,3}```/.test(src[i]!); i++) code.push(src[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      blocks.push({ kind: 'rule' });
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      flush();
      const ordered = item[2] !== undefined;
      const items = [item[3]!];
      for (let next = LIST_ITEM.exec(src[i + 1] ?? ''); next && (next[2] !== undefined) === ordered; next = LIST_ITEM.exec(src[i + 1] ?? '')) {
        items.push(next[3]!);
        i++;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      const quoted = [quote[1]!];
      for (let next = /^\s{0,3}>\s?(.*)$/.exec(src[i + 1] ?? ''); next; next = /^\s{0,3}>\s?(.*)$/.exec(src[i + 1] ?? '')) {
        quoted.push(next[1]!);
        i++;
      }
      blocks.push({ kind: 'quote', lines: quoted });
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line.trim());
  }
  flush();
  return blocks;
}

function block(b: Block, key: number): ReactNode {
  switch (b.kind) {
    case 'heading': {
      const Tag = `h${Math.min(6, b.level + 2)}` as 'h3';
      return <Tag key={key}>{renderInline(b.text)}</Tag>;
    }
    case 'code':
      return (
        <pre key={key}>
          <code>{b.text}</code>
        </pre>
      );
    case 'list': {
      const Tag = b.ordered ? 'ol' : 'ul';
      return (
        <Tag key={key}>
          {b.items.map((item, i) => (
            <li key={i}>{renderInline(item)}</li>
          ))}
        </Tag>
      );
    }
    case 'quote':
      return <blockquote key={key}>{lines(b.lines)}</blockquote>;
    case 'rule':
      return <hr key={key} />;
    case 'paragraph':
      return <p key={key}>{lines(b.lines)}</p>;
  }
}

/** A note's markdown, rendered (the lazily loaded default export of this module). */
export default function NoteMarkdown({ text }: { text: string }) {
  return <div className="note-markdown">{parseBlocks(text).map(block)}</div>;
}

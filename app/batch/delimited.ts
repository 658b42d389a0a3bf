import type { BatchProblem } from './rows';

/** One record of delimited text: its cells and the line it starts on. */
export interface RawRecord {
  line: number;
  cells: string[];
}

/**
 * RFC 4180 records with the line each starts on. A quote opens a quoted cell only at the start
 * of a cell (elsewhere it is text, as spreadsheets write `5" screen`); inside, `""` is a quote
 * and line breaks are kept. Text after a closing quote and an unclosed quote are errors naming
 * the line and character, since guessing there could shift every later cell.
 */
export function parseDelimited(text: string, sep: string): { records: RawRecord[]; problems: BatchProblem[] } {
  const records: RawRecord[] = [];
  const problems: BatchProblem[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  let cells: string[] = [];
  let recordLine = 1;
  let broken = false;
  const n = text.length;
  const endRecord = () => {
    if (!broken) records.push({ line: recordLine, cells });
    cells = [];
    broken = false;
  };
  const newline = (at: number): number => {
    // Returns the index after the line break at `at` (CRLF, LF or CR), counting the line.
    const next = text[at] === '\r' && text[at + 1] === '\n' ? at + 2 : at + 1;
    line++;
    lineStart = next;
    return next;
  };
  while (i <= n) {
    if (cells.length === 0) recordLine = line;
    if (text[i] === '"') {
      const openLine = line;
      const openCol = i - lineStart + 1;
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const c = text[j]!;
        if (c === '"') {
          if (text[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        if (c === '\r' || c === '\n') {
          value += c === '\r' && text[j + 1] === '\n' ? '\r\n' : c;
          j = newline(j);
          continue;
        }
        value += c;
        j++;
      }
      if (!closed) {
        problems.push({
          line: openLine,
          code: 'syntax',
          fatal: true,
          message: `The quote at character ${openCol} is never closed: end the cell with " (write "" for a quote inside it).`,
        });
        return { records, problems };
      }
      cells.push(value);
      i = j;
      if (i < n && text[i] !== sep && text[i] !== '\r' && text[i] !== '\n') {
        problems.push({
          line,
          code: 'syntax',
          message: `Text after a closing quote at character ${i - lineStart + 1}: quote the whole cell and write "" for each quote inside it.`,
        });
        broken = true;
        while (i < n && text[i] !== sep && text[i] !== '\r' && text[i] !== '\n') i++;
      }
    } else {
      let j = i;
      while (j < n && text[j] !== sep && text[j] !== '\r' && text[j] !== '\n') j++;
      cells.push(text.slice(i, j));
      i = j;
    }
    if (i >= n) {
      endRecord();
      break;
    }
    if (text[i] === sep) {
      i++;
      continue;
    }
    i = newline(i);
    endRecord();
    if (i >= n) break;
  }
  return { records, problems };
}

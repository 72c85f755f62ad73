/**
 * The markdown report (cli/cite/markdown.ts) read back from pasted lines.
 * Its paragraphs may have been re-wrapped; a table row is one line in
 * markdown, but a row a mail client broke is joined again (a line inside
 * the table continues the row before it when it does not start with `|`,
 * or when that row does not have its four pipes yet).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MailLine } from './mail.ts';
import { type At, expected, joined, type PastedReport, type PastedStep, type PasteError, type PastedViolation } from './pasted.ts';
import { quoted } from './quote.ts';

export const MARKDOWN_HEADING = /^\s*#{1,6}\s*dmacheck counterexample\s+`([0-9a-f]{10})`(?::(.*))?$/;
const DESIGN = /^Design\s+`([^`]*)`\s+violates\s+`([^`]*)`\s+at\s+step\s+([0-9]+)\s*\.?$/;
const VERSION = /^Trace format version ([0-9]+)\b/;
const WORLD = /^In the world `(.*)`\s*\.?$/;
const VIOLATION = /^\*\*Violation \(step ([0-9]+)\):\*\*(.*)$/;
const MARK = /\*\*<- violates `[^`]*`\*\*\s*$/;
const TABLE_HEAD = '|#|kernelcall|effect|';
const TABLE_RULE = /^\|[-:| ]+\|$/;

// Stryker disable next-line MethodExpression: mailLines (mail.ts) drops trailing blanks, so a blank line's text is already ''
const blank = (l: MailLine | undefined): boolean => l !== undefined && l.text.trim() === '';

interface Paragraph {
  readonly line: number;
  readonly text: string;
  readonly next: number;
}

/** The paragraph starting at line `i`: its lines joined, up to an empty line or a table row. */
const paragraph = (lines: ReadonlyArray<MailLine>, i: number): Paragraph => {
  const parts: string[] = [];
  let j = i;
  for (; j < lines.length && !blank(lines[j]) && (j === i || !lines[j]!.text.trim().startsWith('|')); j++) parts.push(lines[j]!.text);
  return { line: lines[i]!.n, text: joined(parts), next: j };
};

const unescape = (s: string): string => s.trim().replace(/\\\|/g, '|');

/** One table row `| N | \`call\` | effects |` as a step. */
const row = (r: { readonly line: number; readonly text: string }, n: number): E.Either<PasteError, PastedStep> => {
  // Stryker disable next-line MethodExpression: r.text is joined() output, already trimmed
  const cells = r.text.trim().split(/(?<!\\)\|/);
  if (cells.length !== 5 || cells[0]!.trim() !== '' || cells[4]!.trim() !== '' || cells[1]!.trim() !== String(n))
    // Stryker disable next-line MethodExpression: r.text is joined() output, already trimmed
    return E.left({ line: r.line, message: `expected '| ${n} | \`op(args)\` | effects |', got ${quoted(r.text.trim())}` });
  const call = /^`([^`]*)`$/.exec(cells[2]!.trim());
  if (call === null) return E.left({ line: r.line, message: `expected the call of step ${n} in backquotes, got ${quoted(cells[2]!.trim())}` });
  return E.right({ line: r.line, call: unescape(call[1]!), effects: unescape(cells[3]!.replace(MARK, '')) });
};

/** The table's rows from line `i` (after its head and rule) to the first empty line. */
const rowsFrom = (lines: ReadonlyArray<MailLine>, i: number): E.Either<PasteError, { readonly steps: ReadonlyArray<PastedStep>; readonly next: number }> => {
  const raw: { line: number; parts: string[]; pipes: number }[] = [];
  // A row has four unescaped pipes; until it has them, a line that starts with one (a client broke the row just before a cell) continues it too.
  // Counted as the lines come (a running count: re-counting the whole row per line was quadratic).
  const pipes = (text: string): number => text.split(/(?<!\\)\|/).length - 1;
  for (; i < lines.length && !blank(lines[i]); i++) {
    const l = lines[i]!;
    const open = raw.at(-1);
    if (open !== undefined && open.pipes < 4) {
      open.parts.push(l.text);
      open.pipes += pipes(l.text);
    } else if (l.text.trim().startsWith('|')) raw.push({ line: l.n, parts: [l.text], pipes: pipes(l.text) });
    else if (raw.length === 0) return expected("'| 1 | `op(args)` | effects |'", l, l.n);
    else {
      raw.at(-1)!.parts.push(l.text);
      raw.at(-1)!.pipes += pipes(l.text);
    }
  }
  // Stryker disable next-line OptionalChaining: lines is never empty (a report's lines start with its heading)
  if (raw.length === 0) return expected("'| 1 | `op(args)` | effects |'", lines[i], lines.at(-1)?.n ?? 1);
  const steps: PastedStep[] = [];
  for (const r of raw) {
    const s = row({ line: r.line, text: joined(r.parts) }, steps.length + 1);
    if (E.isLeft(s)) return s;
    steps.push(s.right);
  }
  return E.right({ steps, next: i });
};

/** Read the markdown report whose heading is `lines[0]`; the lines after the report are ignored. */
export const parseMarkdownReport = (lines: ReadonlyArray<MailLine>): E.Either<PasteError, PastedReport> => {
  const head = lines[0]!;
  const h = MARKDOWN_HEADING.exec(head.text);
  // Stryker disable next-line StringLiteral: never reached, parsePaste (paste.ts) only passes a region whose first line matched MARKDOWN_HEADING
  if (h === null) return expected("'### dmacheck counterexample `ID`'", head, head.n);
  const title = [h[2] ?? ''];
  let i = 1;
  for (; i < lines.length && !blank(lines[i]); i++) title.push(lines[i]!.text);
  let design: RegExpExecArray | null = null;
  let designLine = head.n;
  let version: At<number> | undefined;
  let world: At<unknown> | undefined;
  for (;;) {
    while (blank(lines[i])) i++;
    const l = lines[i];
    if (l === undefined || l.text.trim().startsWith('|')) break;
    const p = paragraph(lines, i);
    const d = DESIGN.exec(p.text);
    const v = VERSION.exec(p.text);
    const w = WORLD.exec(p.text);
    if (d !== null) [design, designLine] = [d, p.line];
    else if (v !== null) version = { line: p.line, value: Number(v[1]) };
    else if (w !== null) {
      try {
        world = { line: p.line, value: JSON.parse(w[1]!) as unknown };
      } catch {
        return E.left({ line: p.line, message: `expected 'In the world \`{"name": ...}\`.' (the world as JSON), got ${quoted(p.text)}` });
      }
    }
    else return expected(design === null ? "'Design `ID` violates `INVARIANT` at step N.'" : "the table of steps, '| # | kernel call | effect |'", l, l.n);
    i = p.next;
  }
  if (design === null) return expected("'Design `ID` violates `INVARIANT` at step N.'", lines[i], head.n);
  if (lines[i]?.text.replace(/\s+/g, '') !== TABLE_HEAD) return expected("'| # | kernel call | effect |'", lines[i], head.n);
  if (!TABLE_RULE.test(lines[i + 1]?.text.trim() ?? '')) return expected("'|---:|---|---|'", lines[i + 1], lines[i]!.n);
  const rows = rowsFrom(lines, i + 2);
  if (E.isLeft(rows)) return rows;
  i = rows.right.next;
  while (blank(lines[i])) i++;
  let violation: PastedViolation | undefined;
  const vl = lines[i];
  if (vl !== undefined && VIOLATION.test(vl.text.trim())) {
    const p = paragraph(lines, i);
    const m = VIOLATION.exec(p.text)!;
    violation = { line: p.line, at: Number(m[1]), invariant: design[2]!, message: joined([m[2]!]).replace(/\.$/, '') };
  }
  // The report escapes the title's markup characters (cli/cite/markdown.ts titleText).
  const t = joined(title).trim().replace(/\\([\\<>[\]&|])/g, '$1');
  return E.right({
    kind: 'markdown',
    line: head.n,
    id: h[1]!,
    title: t === '' ? undefined : t,
    version,
    ...(world === undefined ? {} : { world }),
    design: { line: designLine, value: design[1]! },
    invariant: { line: designLine, value: design[2]! },
    violatesAt: { line: designLine, value: Number(design[3]) },
    found: undefined,
    steps: rows.right.steps,
    violation,
  });
};

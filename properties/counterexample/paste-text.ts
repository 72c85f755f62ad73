/**
 * The text report (cli/cite/text.ts, as `check`, `explore` and `report`
 * print it) read back from pasted lines. Indentation is not trusted (a
 * mail client may re-wrap a line and start its rest in column 0): a line
 * that does not start a field, a step, an effect or a section continues
 * whatever came before it.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MailLine } from './mail.ts';
import { quoted } from './quote.ts';
import { type At, expected, joined, type PastedReport, type PastedStep, type PasteError, type PastedViolation } from './pasted.ts';

export const TEXT_HEADING = /^\s*dmacheck counterexample ([0-9a-f]{10})(?::(.*))?$/;
const FIELD = /^\s*(design|invariant|found|format|world):(.*)$/;
/** `12. call`, or `12.` alone when a re-wrap moved the call to the next line. */
const STEP = /^\s*([0-9]+)\.(?:\s+(.*))?$/;
const EFFECT = /^\s*->(.*)$/;
const VIOLATION = /^\s*Step ([0-9]+) violates (\S+?):(.*)$/;
const END = /^\s*(?:Replay:|WARNING:)/;
const INVARIANT = /^(\S+)\s*\(\s*violated\s+at\s+step\s+([0-9]+)\s*\)$/;
const VERSION = /^version\s+([0-9]+)(?:\s|$)/;

// Stryker disable next-line MethodExpression: mailLines (mail.ts) drops trailing blanks, so a blank line's text is already ''
const blank = (l: MailLine | undefined): boolean => l !== undefined && l.text.trim() === '';

interface Field {
  readonly line: number;
  readonly parts: string[];
}

/** The heading's fields (`design:`, `invariant:`, ...) from line `i` to the first empty line. */
const fieldsFrom = (lines: ReadonlyArray<MailLine>, i: number, title: string[]): E.Either<PasteError, { readonly fields: ReadonlyMap<string, Field>; readonly next: number }> => {
  const fields = new Map<string, Field>();
  let into = title;
  for (; i < lines.length && !blank(lines[i]); i++) {
    const l = lines[i]!;
    const f = FIELD.exec(l.text);
    if (f === null) {
      into.push(l.text);
      continue;
    }
    if (fields.has(f[1]!)) return E.left({ line: l.n, message: `'${f[1]}:' given twice` });
    into = [f[2]!];
    fields.set(f[1]!, { line: l.n, parts: into });
  }
  return E.right({ fields, next: i });
};

/** Steps from line `i`: each `N. call`, its wrapped lines and its `->` effects. */
const stepsFrom = (lines: ReadonlyArray<MailLine>, i: number): E.Either<PasteError, { readonly steps: ReadonlyArray<PastedStep>; readonly next: number }> => {
  const steps: { line: number; call: string[]; effects: string[][] }[] = [];
  // Stryker disable next-line ArrayDeclaration: nothing is pushed to it before step 1 sets it (a line before step 1 is an error)
  let into: string[] = [];
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (blank(l) || VIOLATION.test(l.text) || END.test(l.text)) break;
    const s = STEP.exec(l.text);
    const e = EFFECT.exec(l.text);
    if (s !== null && Number(s[1]) === steps.length + 1) {
      into = [s[2] ?? ''];
      steps.push({ line: l.n, call: into, effects: [] });
    } else if (s !== null || steps.length === 0) return expected(`'${steps.length + 1}. op(args)'`, l, l.n);
    else if (e !== null) {
      into = [e[1]!];
      steps.at(-1)!.effects.push(into);
    } else into.push(l.text);
  }
  // Stryker disable next-line OptionalChaining: lines is never empty (a report's lines start with its heading)
  if (steps.length === 0) return expected("'1. op(args)'", lines[i], lines.at(-1)?.n ?? 1);
  return E.right({ steps: steps.map((s) => ({ line: s.line, call: s.call.join(''), effects: s.effects.map(joined).join('; ') })), next: i });
};

/** `Step N violates INV: message.` (a paragraph, wrapped anywhere), if it is there. */
const violationFrom = (lines: ReadonlyArray<MailLine>, i: number): PastedViolation | undefined => {
  const parts: string[] = [];
  for (let j = i; j < lines.length && !blank(lines[j]) && !(j > i && END.test(lines[j]!.text)); j++) parts.push(lines[j]!.text);
  const v = VIOLATION.exec(joined(parts));
  return v === null ? undefined : { line: lines[i]!.n, at: Number(v[1]), invariant: v[2]!, message: joined([v[3]!]).replace(/\.$/, '') };
};

/** Read the text report whose heading is `lines[0]`; the lines after the report are ignored. */
export const parseTextReport = (lines: ReadonlyArray<MailLine>): E.Either<PasteError, PastedReport> => {
  const head = lines[0]!;
  const h = TEXT_HEADING.exec(head.text);
  // Stryker disable next-line StringLiteral: never reached, parsePaste (paste.ts) only passes a region whose first line matched TEXT_HEADING
  if (h === null) return expected("'dmacheck counterexample ID'", head, head.n);
  const title = [h[2] ?? ''];
  const fs = fieldsFrom(lines, 1, title);
  if (E.isLeft(fs)) return fs;
  const { fields } = fs.right;
  /** A missing field is expected on the line after the one it follows (`design:` right after the heading and its title). */
  const need = (name: string, shape: string, at: number): E.Either<PasteError, Field> => {
    const f = fields.get(name);
    return f === undefined ? expected(`'${name}: ${shape}'`, lines[at], head.n) : E.right(f);
  };
  const design = need('design', 'ID', title.length);
  if (E.isLeft(design)) return design;
  const inv = need('invariant', 'ID (violated at step N)', lines.findIndex((l) => l.n === design.right.line) + 1);
  if (E.isLeft(inv)) return inv;
  const im = INVARIANT.exec(joined(inv.right.parts));
  if (im === null) return E.left({ line: inv.right.line, message: `expected 'invariant: ID (violated at step N)', got ${quoted(joined(inv.right.parts))}` });
  const format = fields.get('format');
  let version: At<number> | undefined;
  if (format !== undefined) {
    const vm = VERSION.exec(joined(format.parts));
    if (vm === null) return E.left({ line: format.line, message: `expected 'format: version N', got ${quoted(joined(format.parts))}` });
    version = { line: format.line, value: Number(vm[1]) };
  }
  let i = fs.right.next;
  while (blank(lines[i])) i++;
  const steps = stepsFrom(lines, i);
  if (E.isLeft(steps)) return steps;
  i = steps.right.next;
  while (blank(lines[i])) i++;
  const found = fields.get('found');
  const worldField = fields.get('world');
  let world: At<unknown> | undefined;
  if (worldField !== undefined) {
    try {
      world = { line: worldField.line, value: JSON.parse(joined(worldField.parts)) as unknown };
    } catch {
      return E.left({ line: worldField.line, message: `expected 'world: {"name": ...}' (the world as JSON), got ${quoted(joined(worldField.parts))}` });
    }
  }
  const t = joined(title);
  return E.right({
    kind: 'text',
    line: head.n,
    id: h[1]!,
    title: t === '' ? undefined : t,
    version,
    design: { line: design.right.line, value: design.right.parts.map((p) => p.trim()).join('') },
    invariant: { line: inv.right.line, value: im[1]! },
    violatesAt: { line: inv.right.line, value: Number(im[2]) },
    found: found === undefined ? undefined : joined(found.parts),
    ...(world === undefined ? {} : { world }),
    steps: steps.right.steps,
    violation: violationFrom(lines, i),
  });
};

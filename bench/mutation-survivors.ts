/**
 * The survivors of the last mutation run (`npm run mutate`), for review:
 * reads Stryker's JSON report (reports/mutation/mutation.json) and writes
 * docs/mutation-survivors.md with the score per area and per file, and
 * every mutant that survived or that no test of the selection reached, with
 * the triage note of bench/mutation-notes.txt where it has one.
 *
 *   npm run mutate:survivors  [report.json] [out.md]
 *
 * A note line is `file:line Mutator | note`; `file:line:column Mutator`
 * or `file:line Mutator ~part of the replacement` when two mutants of one
 * line need different notes.
 * Notes that no longer match a survivor are listed at the end of the page:
 * the code moved or a test now kills the mutant.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

interface Position {
  readonly line: number;
  readonly column: number;
}

interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: Status;
  readonly location: { readonly start: Position; readonly end: Position };
}

interface Report {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: ReadonlyArray<Mutant> }>>;
}

interface Note {
  readonly file: string;
  readonly line: number;
  readonly column: number | null;
  readonly mutator: string;
  readonly replacement: string | null;
  readonly text: string;
  used: boolean;
}

export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

const zero = (): Counts => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 });

export const count = (c: Counts, s: Status): void => {
  if (s === 'Killed') c.killed++;
  else if (s === 'Timeout') c.timeout++;
  else if (s === 'Survived') c.survived++;
  else if (s === 'NoCoverage') c.noCoverage++;
  else if (s === 'Ignored') c.ignored++;
  else c.errors++;
};

/** Stryker's score: detected over valid mutants, and over those some test reached. */
export const scores = (c: Counts): { all: number; covered: number } => {
  const detected = c.killed + c.timeout;
  return { all: (100 * detected) / (detected + c.survived + c.noCoverage), covered: (100 * detected) / (detected + c.survived) };
};

const pct = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}%` : 'n/a');

export const parseNotes = (text: string): Note[] =>
  text.split('\n').flatMap((raw, i): Note[] => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return [];
    const m = /^([^\s:]+):([0-9]+)(?::([0-9]+))? (\w+)(?: ~(.*?))? \| (.+)$/.exec(line);
    if (m === null) throw new Error(`bench/mutation-notes.txt:${i + 1}: expected "file:line[:column] Mutator [~replacement] | note", got: ${line}`);
    return [{ file: m[1]!, line: Number(m[2]), column: m[3] === undefined ? null : Number(m[3]), mutator: m[4]!, replacement: m[5] ?? null, text: m[6]!, used: false }];
  });

/** One line of code, whitespace collapsed, cut to `max` characters. */
const oneLine = (s: string, max: number): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};

/** The source text a mutant replaces. */
const original = (source: string, m: Mutant): string => {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1]!.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1]!.slice(0, end.column - 1)].join('\n');
};

/** Markdown inline code that survives backticks in the code. */
const code = (s: string): string => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

const AREAS = ['model/ops/', 'model/designs/', 'model/', 'properties/invariants/', 'properties/counterexample/', 'properties/explorer/', 'properties/'];

const areaOf = (file: string): string => AREAS.find((a) => file.startsWith(a)) ?? '(other)';

const row = (name: string, c: Counts): string => {
  const s = scores(c);
  return `| ${name} | ${pct(s.all)} | ${pct(s.covered)} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.ignored} |`;
};

const HEAD = '| | score (all) | score (covered) | killed | timeout | survived | no coverage | ignored |\n|---|---|---|---|---|---|---|---|';

export const render = (report: Report, notes: Note[], when: string): string => {
  const files = Object.keys(report.files).sort();
  const total = zero();
  const byArea = new Map<string, Counts>(AREAS.map((a) => [a, zero()]));
  const byFile = new Map<string, Counts>();
  const lost: string[] = [];
  let noted = 0;
  let open = 0;
  for (const file of files) {
    const { source, mutants } = report.files[file]!;
    const c = zero();
    const left = mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    for (const m of mutants) {
      count(c, m.status);
      count(total, m.status);
      count(byArea.get(areaOf(file)) ?? zero(), m.status);
    }
    byFile.set(file, c);
    if (left.length === 0) continue;
    lost.push(`\n### ${file}\n`);
    for (const m of left) {
      const replacement = m.replacement ?? '';
      const note = notes.find(
        (n) =>
          n.file === file &&
          n.line === m.location.start.line &&
          (n.column === null || n.column === m.location.start.column) &&
          n.mutator === m.mutatorName &&
          (n.replacement === null || oneLine(replacement, 200).includes(n.replacement)),
      );
      if (note !== undefined) note.used = true;
      if (note !== undefined) noted++;
      else open++;
      const what = `${code(oneLine(original(source, m), 60))} -> ${code(oneLine(replacement, 60))}`;
      lost.push(`- ${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''}: ${what}${note === undefined ? '' : `  \n  ${note.text}`}`);
    }
  }
  const s = scores(total);
  const out = [
    '# Mutation survivors',
    '',
    `Written by \`npm run mutate:survivors\` (bench/mutation-survivors.ts) from the report of ${when}; the run itself and the triage are in [assurance.md](assurance.md). Notes come from \`bench/mutation-notes.txt\`.`,
    '',
    `${files.length} files, ${total.killed + total.timeout + total.survived + total.noCoverage} valid mutants (and ${total.ignored} ignored: static, or disabled by a comment${total.errors > 0 ? `; ${total.errors} errors` : ''}). Score ${pct(s.all)} of all, ${pct(s.covered)} of those a test reached. ${noted + open} survivors: ${noted} with a note, ${open} without.`,
    '',
    '## By area',
    '',
    'Each file counts once, in the first area its path starts with.',
    '',
    HEAD,
    ...AREAS.map((a) => row(`\`${a}\``, byArea.get(a)!)),
    row('everything', total),
    '',
    '## By file',
    '',
    HEAD,
    ...files.map((f) => row(`\`${f}\``, byFile.get(f)!)),
    '',
    '## Every survivor',
    '',
    'Line:column, mutator, the code and what Stryker put in its place; "no coverage": no test of the selection runs that code.',
    ...lost,
  ];
  const stale = notes.filter((n) => !n.used);
  if (stale.length > 0) out.push('', '## Notes that match no survivor', '', ...stale.map((n) => `- ${n.file}:${n.line}${n.column === null ? '' : `:${n.column}`} ${n.mutator}: ${n.text}`));
  return `${out.join('\n')}\n`;
};

const main = (): void => {
  const [input = 'reports/mutation/mutation.json', output = 'docs/mutation-survivors.md'] = process.argv.slice(2);
  const report = JSON.parse(readFileSync(input, 'utf8')) as Report;
  const notes = parseNotes(readFileSync('bench/mutation-notes.txt', 'utf8'));
  const when = statSync(input).mtime.toISOString().slice(0, 16).replace('T', ' ');
  writeFileSync(output, render(report, notes, `${when} UTC`));
  console.log(`wrote ${output}`);
};

if (import.meta.url === `file://${process.argv[1]}`) main();

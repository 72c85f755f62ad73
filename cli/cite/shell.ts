/**
 * Commands printed for a reader to paste: every word quoted so that a
 * POSIX-style shell (bash, zsh) gives the program exactly that word, and
 * long commands wrapped with `\` so that every line, continuation
 * included, fits the report's width.
 */

const plain = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Bytes of a character as `\xNN` escapes, for bash's `$'...'` quoting. */
const byteEscapes = (c: string): string => [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');

/**
 * One word as a shell reads it: bare when it is plain, in single quotes when
 * it is printable ASCII, in `$'...'` with escapes otherwise (so a report
 * stays plain ASCII even for a file name with a newline in it).
 */
export const shellWord = (w: string): string => {
  if (plain.test(w)) return w;
  if (/^[\x20-\x7e]*$/.test(w)) return `'${w.replace(/'/g, `'\\''`)}'`;
  return `$'${[...w].map((c) => (c === '\\' || c === "'" ? `\\${c}` : /[\x20-\x7e]/.test(c) ? c : byteEscapes(c))).join('')}'`;
};

/** The command as one line. */
export const shellLine = (words: ReadonlyArray<string>): string => words.map(shellWord).join(' ');

/** Cut `w` into pieces whose quoted form, plus a trailing ` \` or `\`, fits `room` columns (the first piece `first`). */
const pieces = (w: string, first: number, room: number): string[] => {
  const out: string[] = [];
  let rest = [...w];
  let width = first;
  while (rest.length > 0) {
    let n = 1;
    while (n < rest.length && shellWord(rest.slice(0, n + 1).join('')).length + 2 <= width) n++;
    out.push(rest.slice(0, n).join(''));
    rest = rest.slice(n);
    width = room;
  }
  return out;
};

/**
 * `words` as shell lines of at most `width` columns, each but the last
 * ending in ` \`. The first line starts with `first`, the others with
 * `rest`; an option stays with its value. A word too long for a line is
 * cut and quoted piece by piece;
 * the pieces after the first start in column 0, since a shell joins a
 * `\`-newline with what follows and an indent would split the word.
 */
export const wrapCommand = (words: ReadonlyArray<string>, width: number, first: string, rest: string): string[] => {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const [i, w] of words.entries()) {
    const q = shellWord(w);
    // An option and its value stay on one line when they fit on a fresh one.
    const next = words[i + 1];
    const pair = w.startsWith('--') && next !== undefined && !next.startsWith('-') ? q.length + 1 + shellWord(next).length : q.length;
    const keep = pair === q.length || rest.length + pair + 2 > width ? q.length : pair;
    // Room for the word and, unless it is the last, for ` \`.
    const tail = i === words.length - 1 ? 0 : 2;
    if ((empty ? line.length : line.length + 1) + keep + tail <= width) {
      line += empty ? q : ` ${q}`;
      empty = false;
      continue;
    }
    if (!empty) {
      lines.push(`${line} \\`);
      line = rest;
      empty = true;
    }
    if (line.length + q.length + tail <= width) {
      line += q;
      empty = false;
      continue;
    }
    const ps = pieces(w, width - line.length, width);
    for (const p of ps.slice(0, -1)) {
      lines.push(`${line}${shellWord(p)}\\`);
      line = '';
    }
    line += shellWord(ps[ps.length - 1]!);
    empty = false;
  }
  lines.push(line);
  return lines;
};

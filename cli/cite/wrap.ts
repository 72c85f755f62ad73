/** Word wrapping for reports that must fit a mail client's 72 columns. */

/** Split a word longer than `width` into pieces (with `joiner` at each break). */
const hardBreak = (word: string, first: number, joiner: string, width = first): string[] => {
  const out: string[] = [];
  let rest = word;
  let room = first;
  while (rest.length > room) {
    out.push(rest.slice(0, room - joiner.length) + joiner);
    rest = rest.slice(room - joiner.length);
    room = joiner === '' ? room : width;
  }
  out.push(rest);
  return out;
};

/**
 * Greedy wrap of `text` to `width` columns. The first line starts with
 * `first`, the others with `rest`. A word longer than a line is broken,
 * ending each piece with `joiner` (a shell's `\` in commands).
 */
export const wrap = (text: string, width: number, first: string, rest: string, joiner = ''): string[] => {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const room = width - (empty ? line.length : line.length + 1);
    if (word.length <= room) {
      line += empty ? word : ` ${word}`;
      empty = false;
      continue;
    }
    if (!empty) {
      lines.push(joiner === '' ? line : `${line} ${joiner}`);
      line = rest;
      empty = true;
    }
    const pieces = hardBreak(word, width - line.length, joiner, width);
    for (const p of pieces.slice(0, -1)) {
      lines.push(line + p);
      // A shell joins `\`-newline with what follows, so the rest of a broken word starts in column 0.
      line = joiner === '' ? rest : '';
    }
    line += pieces[pieces.length - 1]!;
    empty = false;
  }
  lines.push(line);
  return lines;
};

/** Word wrapping for reports that must fit a mail client's 72 columns. Commands wrap with shell.ts. */

/** Split a word longer than a line into pieces: the first `first` wide, the others `width`. */
const hardBreak = (word: string, first: number, width: number): string[] => {
  const out: string[] = [];
  let rest = word;
  let room = first;
  while (rest.length > room) {
    out.push(rest.slice(0, room));
    rest = rest.slice(room);
    room = width;
  }
  out.push(rest);
  return out;
};

/**
 * Greedy wrap of `text` to `width` columns. The first line starts with
 * `first`, the others with `rest`. A word longer than a line is broken.
 */
export const wrap = (text: string, width: number, first: string, rest: string): string[] => {
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
      lines.push(line);
      line = rest;
      empty = true;
    }
    const pieces = hardBreak(word, width - line.length, width - rest.length);
    for (const p of pieces.slice(0, -1)) {
      lines.push(line + p);
      line = rest;
    }
    line += pieces[pieces.length - 1]!;
    empty = false;
  }
  lines.push(line);
  return lines;
};

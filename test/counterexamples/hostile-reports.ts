/** Reports made hostile at the size limit, for the paste tests and `npm run bench` (bench/paste-limits.ts). */

/** `report` (markdown) with step 3's effect cell padded with blanks to `size` characters in all. */
export const hostileMarkdown = (report: string, size: number): string => {
  const lines = report.split('\n');
  const i = lines.findIndex((l) => l.startsWith('| 3 |'));
  const cells = lines[i]!.split('|');
  cells[3] = `${cells[3]}${' '.repeat(Math.max(0, size - report.length))}`;
  lines[i] = cells.join('|');
  return lines.join('\n');
};

/** `report` (text) with its first call given `n` more arguments `x0=1, x1=1, ...`. */
export const hostileCall = (report: string, n: number): string => {
  const extra = Array.from({ length: n }, (_, k) => `, x${k}=1`).join('');
  return report.replace(/^( +1\. [a-z_0-9]+\(.*)\)$/m, `$1${extra})`);
};

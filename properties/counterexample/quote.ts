/**
 * Text that came from outside (a file's contents, a file name, a command
 * line word) made safe to print: printable ASCII only, one line, bounded.
 * A control byte, a BOM, a newline or any non-ASCII character becomes an
 * escape (`\x1b`, `\ufeff`, `\n`), so a file cannot clear the terminal,
 * split an error into two lines, or fill the screen with a 50 MB name.
 */

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

/** Escape every character outside printable ASCII; nothing is dropped. */
export const escapeText = (s: string): string =>
  s.replace(/[^\x20-\x7e]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return named[c] ?? (cp < 0x100 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\u{${hex(cp, 1)}}`);
  });

/** `s` escaped and cut to about `max` characters, saying how long it was when cut. */
export const clip = (s: string, max: number): string => {
  const head = escapeText(s.slice(0, max + 1));
  if (head.length <= max && s.length <= max) return head;
  return `${head.slice(0, max)}...(${s.length} characters)`;
};

/** A name from outside, quoted for an error line: `'no-such-design'`. */
export const quoted = (s: string, max = 60): string => `'${clip(s, max)}'`;

/** A file name for an error or status line: escaped, bounded, unquoted when plain. */
export const fileName = (s: string): string => clip(s, 200);

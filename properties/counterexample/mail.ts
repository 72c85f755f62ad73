/**
 * Text as it comes back from a mail thread or a review, made into plain
 * lines: CRLF and CR line ends, any depth of `> ` quoting (`> > `, `>>`),
 * tabs and no-break spaces, trailing spaces. Each line keeps its number in
 * the pasted text, so an error can point at it.
 */

export interface MailLine {
  /** 1-based line number in the pasted text. */
  readonly n: number;
  readonly text: string;
}

/** One or more quote markers at the start of a line, each with its optional space. */
const quoting = /^(?:[ \t]*>[ \t]?)+/;

/** A line without its quoting and with every blank a plain space, trailing ones dropped. */
export const unquote = (line: string): string => line.replace(quoting, '').replace(/[\t\u00a0]/g, ' ').trimEnd();

export const mailLines = (text: string): ReadonlyArray<MailLine> => text.split(/\r\n|\r|\n/).map((l, i) => ({ n: i + 1, text: unquote(l) }));

/**
 * An HTML or Mermaid report read back: `report --format html` puts the
 * counterexample file in the page as a JSON data element
 * (`cli/cite/html.ts`), and `--format mermaid` as a last comment line
 * (`%% dmacheck-counterexample: {...}`), so a page or a diagram saved from
 * a mail or a review replays as the text reports do. The element's text is
 * the file's JSON with `<`, `>` and `&` written as `\u003c`-style escapes,
 * which JSON.parse reads back as they were.
 */
import * as E from 'fp-ts/lib/Either.js';
import { mailLines } from './mail.ts';

export const COUNTEREXAMPLE_ELEMENT = 'dmacheck-counterexample';

const OPEN = `<script type="application/json" id="${COUNTEREXAMPLE_ELEMENT}">`;

/** Whether `text` is an HTML page (what `report --format html` writes starts so). */
export const looksLikeHtml = (text: string): boolean => /^[\s\ufeff]*<!DOCTYPE html>/i.test(text);

/** The counterexample file's JSON text in an HTML report, or why there is none. */
export const counterexampleInPage = (text: string): E.Either<string, string> => {
  const at = text.indexOf(OPEN);
  if (at < 0) return E.left(`an HTML page without a dmacheck counterexample in it (no element id="${COUNTEREXAMPLE_ELEMENT}"; report --format html writes one)`);
  const end = text.indexOf('</script>', at + OPEN.length);
  if (end < 0) return E.left(`the element id="${COUNTEREXAMPLE_ELEMENT}" is not closed`);
  return E.right(text.slice(at + OPEN.length, end));
};

const MARKER = `%% ${COUNTEREXAMPLE_ELEMENT}:`;

/**
 * Whether `text` is a Mermaid diagram (what `report --format mermaid`
 * writes starts so), or holds one's file line (the diagram pasted into a
 * mail, with prose around it) and no text or markdown report.
 */
export const looksLikeMermaid = (text: string): boolean => /^[\s\ufeff]*sequenceDiagram\s/.test(text) || (text.includes(MARKER) && !/dmacheck counterexample [0-9a-f]{10}/.test(text));

/**
 * The counterexample file's JSON text in a Mermaid report, or why there is
 * none. The diagram may come back from a mail: quoted, CRLF, and its last
 * line re-wrapped at spaces. The file is read from the marker on, joining
 * the lines that follow with the space a re-wrap took out, until it is
 * whole JSON (what follows it in the mail is left alone).
 */
export const counterexampleInDiagram = (text: string): E.Either<string, string> => {
  const lines = mailLines(text).map((l) => l.text.trim());
  const at = lines.findIndex((l) => l.startsWith(MARKER));
  if (at < 0) return E.left(`a Mermaid diagram without a dmacheck counterexample in it (no '${MARKER}' line; report --format mermaid writes one)`);
  let json = lines[at]!.slice(MARKER.length).trim();
  for (let i = at + 1; ; i++) {
    if (parses(json)) return E.right(json);
    if (i >= lines.length || lines[i] === '') break;
    json = `${json} ${lines[i]}`;
  }
  return E.left(`line ${at + 1}: the file after '${MARKER}' is not whole JSON (cut off, or changed)`);
};

const parses = (json: string): boolean => {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
};

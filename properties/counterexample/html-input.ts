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

/** Whether `text` is a Mermaid diagram (what `report --format mermaid` writes starts so). */
export const looksLikeMermaid = (text: string): boolean => /^[\s\ufeff]*sequenceDiagram\s/.test(text);

/** The counterexample file's JSON text in a Mermaid report, or why there is none. */
export const counterexampleInDiagram = (text: string): E.Either<string, string> => {
  const m = new RegExp(`^\\s*%% ${COUNTEREXAMPLE_ELEMENT}: (.*)$`, 'm').exec(text);
  return m === null ? E.left(`a Mermaid diagram without a dmacheck counterexample in it (no '%% ${COUNTEREXAMPLE_ELEMENT}:' line; report --format mermaid writes one)`) : E.right(m[1]!);
};

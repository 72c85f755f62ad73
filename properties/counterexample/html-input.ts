/**
 * An HTML report read back: `report --format html` puts the counterexample
 * file in the page as a JSON data element (`cli/cite/html.ts`), so a page
 * saved from a mail or a review replays as its Replay line says. The
 * element's text is the file's JSON with `<`, `>` and `&` written as
 * `\u003c`-style escapes, which JSON.parse reads back as they were.
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

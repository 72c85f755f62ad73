/**
 * What mail does to a report on its way into a reply, for the paste tests:
 * a client re-wraps long lines (at spaces, the rest in column 0), quotes
 * every line one or more levels deep, and the sender's lines come before
 * and after. Then tabs, trailing spaces and CRLF line ends.
 */
import fc from 'fast-check';

export interface Mangling {
  /** Re-wrap lines longer than this many columns; null leaves them. */
  readonly rewrap: number | null;
  /** One quote marker per level, outermost first: '> ', '>' or ' > '. */
  readonly quotes: ReadonlyArray<string>;
  readonly before: ReadonlyArray<string>;
  readonly after: ReadonlyArray<string>;
  readonly tabs: boolean;
  readonly trailing: boolean;
  readonly crlf: boolean;
}

/** Greedy re-wrap at spaces, as a mail client does: a word longer than the width stays whole. */
export const rewrapLine = (line: string, width: number): string[] => {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > 0 && rest.slice(0, cut).trim() !== '' ? cut : rest.indexOf(' ', width);
    if (at <= 0) break;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at + 1).trimStart();
  }
  out.push(rest);
  return out;
};

/**
 * `report` as it arrives quoted in a reply. `wrappable` says which lines
 * the report's format lets a client re-wrap (a markdown table row or
 * heading is one line by definition).
 */
export const mangle = (report: string, m: Mangling, wrappable: (line: string) => boolean): string => {
  const body = report
    .split('\n')
    .flatMap((l) => (m.rewrap !== null && wrappable(l) ? rewrapLine(l, m.rewrap) : [l]))
    .map((l) => `${m.quotes.join('')}${l}`);
  const lines = [...m.before, ...body, ...m.after]
    .map((l) => (m.tabs ? l.replace(/ {2,}/g, '\t') : l))
    .map((l, i) => (m.trailing && i % 3 === 0 ? `${l}   ` : l));
  return lines.join(m.crlf ? '\r\n' : '\n');
};

const prose = fc.constantFrom(
  'Hi Jason,',
  '',
  'On Tue, 3 Dec 2019 at 10:14, Christoph Hellwig wrote:',
  'This is the munmap path again; see the trace below.',
  'dmacheck found this one in a few runs:',
  '-- ',
  'Christoph',
  'Reviewed-by: nobody yet',
  '1. the first point of my reply',
  '-> an arrow in the prose',
  'design: of the driver is fine otherwise',
);

export const manglings = (rewrapAt: fc.Arbitrary<number>): fc.Arbitrary<Mangling> =>
  fc.record({
    rewrap: fc.option(rewrapAt, { nil: null }),
    quotes: fc.array(fc.constantFrom('> ', '>', ' > '), { maxLength: 3 }),
    before: fc.array(prose, { maxLength: 4 }),
    after: fc.array(prose, { maxLength: 4 }),
    tabs: fc.boolean(),
    trailing: fc.boolean(),
    crlf: fc.boolean(),
  });

/** `dmacheck report FILE [--format ...]`: a counterexample written up for a review thread. */
import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import { citationOf } from '../properties/counterexample/cite.ts';
import { serialise } from '../properties/counterexample/format.ts';
import { loadCounterexample, loadErrorLine } from '../properties/counterexample/load.ts';
import { clip, fileName } from '../properties/counterexample/quote.ts';
import type { ReportArgs } from './args.ts';
import { htmlReportWithin } from './cite/html.ts';
import { markdownReport } from './cite/markdown.ts';
import { mermaidReport } from './cite/mermaid.ts';
import { textReport } from './cite/text.ts';

export const reportCommand = (args: ReportArgs): number => {
  const loaded = loadCounterexample(args.file);
  if (E.isLeft(loaded)) {
    console.error(`dmacheck: ${loadErrorLine(loaded.left)}`);
    return 2;
  }
  const cx = loaded.right;
  let c: ReturnType<typeof citationOf>;
  try {
    c = citationOf(cx);
  } catch (err) {
    console.error(`dmacheck: ${fileName(args.file)}: cannot be replayed (${clip(err instanceof Error ? err.message : String(err), 100)})`);
    return 2;
  }
  const out: E.Either<string, string> = match(args.format)
    .with('text', () => E.right(textReport(c)))
    .with('markdown', () => E.right(markdownReport(c, c.threads.length === 0 ? undefined : mermaidReport(cx, c))))
    .with('mermaid', () => E.right(mermaidReport(cx, c)))
    .with('json', () => E.right(serialise(cx.file)))
    .with('html', () => htmlReportWithin(cx, c))
    .exhaustive();
  if (E.isLeft(out)) {
    console.error(`dmacheck: ${fileName(args.file)}: ${out.left}`);
    return 2;
  }
  process.stdout.write(out.right);
  return 0;
};

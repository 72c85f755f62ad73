/** `dmacheck report FILE [--format ...]`: a counterexample written up for a review thread. */
import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
import { citationOf } from '../properties/counterexample/cite.ts';
import { serialise } from '../properties/counterexample/format.ts';
import { loadCounterexample, loadErrorLine } from '../properties/counterexample/load.ts';
import { clip, fileName } from '../properties/counterexample/quote.ts';
import type { ReportArgs } from './args.ts';
import { htmlReport } from './cite/html.ts';
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
  process.stdout.write(
    match(args.format)
      .with('text', () => textReport(c))
      .with('markdown', () => markdownReport(c))
      .with('mermaid', () => mermaidReport(cx, c))
      .with('json', () => serialise(cx.file))
      .with('html', () => htmlReport(cx, c))
      .exhaustive(),
  );
  return 0;
};

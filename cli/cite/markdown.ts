/** The Markdown report, for a code review: a table of steps. */
import { worldText } from './text.ts';
import type { Citation } from '../../properties/counterexample/cite.ts';
import { VERSION } from '../../properties/counterexample/format.ts';
import { shellLine } from './shell.ts';
import { stepRuns } from '../../properties/counterexample/threads.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/**
 * A title as markdown text, never markup: backslash escapes (CommonMark)
 * keep `<` from opening raw HTML, `[` `]` from making a link (a
 * `javascript:` one included), `&` from an entity, `|` from a cell.
 */
export const titleText = (s: string): string => s.replace(/[\\<>[\]&|]/g, '\\$&');

/**
 * `sequence`: the trace as a Mermaid sequence diagram (cli/cite/mermaid.ts,
 * one participant per driver thread), shown under the threads for pages
 * that render Mermaid; replay reads the table and ignores it.
 */
export const markdownReport = (c: Citation, sequence?: string): string => {
  const rows = c.steps.map((s) => {
    const mark = s.n === c.violatesAt ? ` **<- violates \`${c.invariant}\`**` : '';
    return `| ${s.n} | \`${cell(s.call)}\` | ${cell(s.effects.join('; '))}${mark} |`;
  });
  return [
    `### dmacheck counterexample \`${c.id}\`${c.title === undefined ? '' : `: ${titleText(c.title)}`}`,
    '',
    `Design \`${c.design}\` violates \`${c.invariant}\` at step ${c.violatesAt}.`,
    '',
    ...(c.world === undefined ? [] : [`In the world \`${worldText(c.world)}\`.`, '']),
    `Trace format version ${VERSION}: paste this report into \`npx dmacheck replay -\` to replay it.`,
    '',
    '| # | kernel call | effect |',
    '|---:|---|---|',
    ...rows,
    '',
    c.violation === null
      ? `**Warning:** this file no longer reproduces: \`${c.invariant}\` does not fail at step ${c.violatesAt} today.`
      : `**Violation (step ${c.violatesAt}):** ${c.violation}.`,
    '',
    ...(c.causes.length === 0 ? [] : ['Because of (earlier steps the violation needs):', '', ...c.causes.map((k) => `- step ${k.step}: ${cell(k.why)}.`), '']),
    ...(c.threads.length === 0
      ? []
      : ['Threads (the steps each driver thread made; the others are the process, the kernel and the devices):', '', ...c.threads.map((t) => `- thread ${t.id}: \`${t.recipe}\`, ${cell(t.what)}, started at step ${t.started}; steps ${t.steps.length === 0 ? 'none' : stepRuns(t.steps)}.`), '']),
    // The diagram's comment line carrying the file is left out: the table is what replays here.
    ...(sequence === undefined ? [] : ['The interleaving, one participant per driver thread:', '', '```mermaid', ...sequence.trimEnd().split('\n').filter((l) => !l.startsWith('%%')), '```', '']),
    'Replay:',
    '',
    '```sh',
    shellLine(c.replay),
    '```',
    '',
    ...(c.replayFile === undefined ? [] : ["(this report on standard input), or with the sender's file:", '', '```sh', shellLine(c.replayFile), '```', '']),
  ].join('\n');
};

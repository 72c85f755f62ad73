/** The plain-text report: ASCII, no line over 72 columns, ready for a mailing-list reply. */
import type { WorldRecord } from '../../model/designs/world-choice.ts';
import type { Citation } from '../../properties/counterexample/cite.ts';
import { VERSION } from '../../properties/counterexample/format.ts';
import { wrapCommand } from './shell.ts';
import { wrap } from './wrap.ts';
import { stepRuns } from '../../properties/counterexample/threads.ts';
import { LEGEND, laneRows } from './lanes.ts';

export const WIDTH = 72;

/** What a reader needs to replay the report as pasted (properties/counterexample/paste.ts reads it back). */
export const formatLine = `version ${VERSION} (paste into 'npx dmacheck replay -' to replay)`;

/** The report within `width` columns (72 for mail; another width only to test that a re-wrapped report reads back). */
/** A world record as one line of JSON with a blank between tokens, so that wrapping (ours or a mail client's) breaks it only where a blank goes back. */
export const worldText = (w: WorldRecord): string => JSON.stringify(w, null, 1).replace(/\n\s*/g, ' ');

export const textReport = (c: Citation, width = WIDTH): string => {
  const field = (name: string, value: string) => wrap(value, width, `${name}:`.padEnd(11), ' '.repeat(11));
  const out: string[] = [
    ...wrap(`dmacheck counterexample ${c.id}${c.title === undefined ? '' : `: ${c.title}`}`, width, '', '  '),
    ...field('design', c.design),
    ...field('invariant', `${c.invariant} (violated at step ${c.violatesAt})`),
    ...(c.found === undefined ? [] : field('found', c.found)),
    ...(c.world === undefined ? [] : field('world', worldText(c.world))),
    ...field('format', formatLine),
    '',
  ];
  for (const s of c.steps) {
    const num = `${String(s.n).padStart(3)}. `;
    out.push(...wrap(s.call, width, num, ' '.repeat(num.length + 2)));
    if (s.effects.length > 0) out.push(...wrap(s.effects.join('; '), width, `${' '.repeat(num.length)}-> `, ' '.repeat(num.length + 3)));
  }
  out.push('');
  out.push(
    ...(c.violation === null
      ? wrap(`This file no longer reproduces: ${c.invariant} does not fail at step ${c.violatesAt} today.`, width, 'WARNING: ', '  ')
      : wrap(`${c.violation}.`, width, `Step ${c.violatesAt} violates ${c.invariant}: `, '')),
  );
  if (c.causes.length > 0) {
    out.push('', 'Because of (earlier steps the violation needs):');
    for (const k of c.causes) out.push(...wrap(`step ${k.step}: ${k.why}.`, width, '  ', '    '));
  }
  if (c.threads.length > 0) {
    out.push('', ...wrap('Threads (the steps each driver thread made; the others are the process, the kernel and the devices):', width, '', ''));
    for (const t of c.threads) out.push(...wrap(`thread ${t.id}: ${t.recipe}, ${t.what}, started at step ${t.started}; steps ${t.steps.length === 0 ? 'none' : stepRuns(t.steps)}.`, width, '  ', '    '));
    out.push('', ...wrap(LEGEND, width, '', ''), ...laneRows(c, width));
  }
  out.push('', 'Replay:', ...wrapCommand(c.replay, width, '  ', '    '));
  if (c.replayFile !== undefined) out.push("  (this report on standard input), or with the sender's file:", ...wrapCommand(c.replayFile, width, '  ', '    '));
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
};

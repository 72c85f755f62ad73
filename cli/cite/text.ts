/** The plain-text report: ASCII, no line over 72 columns, ready for a mailing-list reply. */
import type { Citation } from '../../properties/counterexample/cite.ts';
import { wrapCommand } from './shell.ts';
import { wrap } from './wrap.ts';

export const WIDTH = 72;

export const textReport = (c: Citation): string => {
  const out: string[] = [
    ...wrap(`dmacheck counterexample ${c.id}${c.title === undefined ? '' : `: ${c.title}`}`, WIDTH, '', '  '),
    ...wrap(c.design, WIDTH, 'design:    ', '           '),
    ...wrap(`${c.invariant} (violated at step ${c.violatesAt})`, WIDTH, 'invariant: ', '           '),
    ...(c.found === undefined ? [] : wrap(c.found, WIDTH, 'found:     ', '           ')),
    '',
  ];
  for (const s of c.steps) {
    const num = `${String(s.n).padStart(3)}. `;
    out.push(...wrap(s.call, WIDTH, num, ' '.repeat(num.length + 2)));
    if (s.effects.length > 0) out.push(...wrap(s.effects.join('; '), WIDTH, `${' '.repeat(num.length)}-> `, ' '.repeat(num.length + 3)));
  }
  out.push('');
  out.push(
    ...(c.violation === null
      ? wrap(`This file no longer reproduces: ${c.invariant} does not fail at step ${c.violatesAt} today.`, WIDTH, 'WARNING: ', '  ')
      : wrap(`${c.violation}.`, WIDTH, `Step ${c.violatesAt} violates ${c.invariant}: `, '')),
  );
  out.push('', 'Replay:', ...wrapCommand(c.replay, WIDTH, '  ', '    '));
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
};

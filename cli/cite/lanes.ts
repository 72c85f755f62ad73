/**
 * The interleaving as lanes in plain text: one row a step, one column for
 * the process, the kernel and the devices (`env`) and one for each driver
 * thread, so a reader of the mail sees which thread ran when without
 * reading `by=N` off every call. Rows are short and never wrap: a mail
 * client that re-wraps at 72 columns leaves them as they are.
 *
 *   `*` the column's step; `+` a step that started that thread (made by
 *   another column); `|` the thread is between its steps. The violating
 *   step and the causes the report names are marked after the call.
 */
import type { Citation } from '../../properties/counterexample/cite.ts';
import { wrap } from './wrap.ts';

const STEP = 6;
const COLUMN = 4;
/** Below this many columns for the call's name the chart is not drawn. */
const MIN_NAME = 12;

export const LEGEND = "Interleaving (a column for each driver thread and one, env, for the process, the kernel and the devices; * the column's step, + a step that started the thread, | the thread between its steps):";

/** The chart's rows, within `width` columns; empty when the trace has no driver thread or too many to fit. */
export const laneRows = (c: Citation, width: number): ReadonlyArray<string> => {
  if (c.threads.length === 0) return [];
  const room = width - STEP - COLUMN * (1 + c.threads.length);
  if (room < MIN_NAME) return wrap(`(${c.threads.length} threads: too many for ${width} columns; the list above gives each one's steps)`, width, '  ', '  ');
  const head = `${'step'.padStart(STEP - 1)} ${'env'.padEnd(COLUMN)}${c.threads.map((t) => `T${t.id}`.padEnd(COLUMN)).join('')}`;
  const rows = c.steps.map((s) => {
    const by = c.threads.find((t) => t.steps.includes(s.n));
    const env = by === undefined ? '*' : ' ';
    const lanes = c.threads.map((t) => {
      const glyph = t.steps.includes(s.n) ? '*' : s.n === t.started ? '+' : s.n > t.started && s.n < (t.steps.at(-1) ?? t.started) ? '|' : ' ';
      return `${glyph}`.padEnd(COLUMN);
    });
    const name = s.call.slice(0, s.call.indexOf('(') < 0 ? s.call.length : s.call.indexOf('('));
    const mark = s.n === c.violatesAt ? ' <- violates' : c.causes.some((k) => k.step === s.n) ? ' <- cause' : '';
    const label = name.length + mark.length <= room ? `${name}${mark}` : name.slice(0, room);
    return `${String(s.n).padStart(STEP - 1)} ${env.padEnd(COLUMN)}${lanes.join('')}${label}`.trimEnd();
  });
  return [head.trimEnd(), ...rows];
};

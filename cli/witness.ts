/**
 * `dmacheck witness --design D [--reach SITUATION]...`: the shortest trace
 * that reaches a named situation in the design's world (every report
 * format), or, with no --reach, every situation and whether the explorer
 * reaches it within the bounds. Exit 0 when every situation asked for is
 * reached, 1 when one is not, 2 for bad usage.
 */
import { match } from 'ts-pattern';
import { designById } from '../model/designs/index.ts';
import { quoted } from '../properties/counterexample/quote.ts';
import { situationById, situations, type Situation } from '../properties/situations.ts';
import { describeEvents, formatOp, toJsonStep } from '../properties/trace.ts';
import { findWitness, type Witness } from '../properties/witness.ts';
import type { WitnessArgs } from './args.ts';
import { shellLine, wrapCommand } from './cite/shell.ts';
import { WIDTH } from './cite/text.ts';
import { wrap } from './cite/wrap.ts';
import { worldError } from './explore.ts';
import { progressNote } from './progress.ts';
import { describeWorld, inWorld, isDefaultWorld, worldFlags } from '../model/designs/world-choice.ts';

const replayWords = (a: WitnessArgs, x: Situation): ReadonlyArray<string> => [
  'npx',
  'dmacheck',
  'witness',
  '--design',
  a.design,
  '--reach',
  x.id,
  ...(a.depth === undefined ? [] : ['--depth', String(a.depth)]),
  '--max-states',
  String(a.maxStates),
  ...worldFlags(a.world),
];

const smaller = (a: WitnessArgs): string => (isDefaultWorld(a.world) ? '' : `, ${describeWorld(a.world)}`);

const notReached = (w: Extract<Witness, { kind: 'not-reached' }>): string =>
  w.complete ? `unreachable: the whole reachable space was explored (${w.states} states)` : `not reached up to depth ${w.depth} (${w.states} states; bound reached)`;

const textWitness = (a: WitnessArgs, x: Situation, w: Witness): string => {
  const out = [
    ...wrap(`dmacheck witness: ${a.design} ${w.kind === 'reached' ? 'reaches' : 'does not reach'} ${x.id}`, WIDTH, '', '  '),
    ...wrap(`${x.what} (guarded by ${x.invariant})`, WIDTH, 'situation: ', '           '),
  ];
  if (w.kind === 'not-reached') out.push(...wrap(`${notReached(w)}${smaller(a)}`, WIDTH, 'result:    ', '           '));
  else {
    out.push(...wrap(`breadth-first exploration: a shortest trace, ${w.depth} design step(s), ${w.states} states${smaller(a)}`, WIDTH, 'found:     ', '           '), '');
    w.trace.forEach((t, i) => {
      const num = `${String(i + 1).padStart(3)}. `;
      out.push(...wrap(formatOp(t.op), WIDTH, num, ' '.repeat(num.length + 2)));
      const effects = describeEvents(t.events);
      if (effects.length > 0) out.push(...wrap(effects.join('; '), WIDTH, `${' '.repeat(num.length)}-> `, ' '.repeat(num.length + 3)));
    });
    out.push('', ...wrap(`${x.what}.`, WIDTH, `Step ${w.trace.length} reaches ${x.id}: `, ''));
  }
  out.push('', 'Replay:', ...wrapCommand(replayWords(a, x), WIDTH, '  ', '    '));
  return `${out.map((l) => l.trimEnd()).join('\n')}\n`;
};

const cell = (s: string): string => s.replace(/\|/g, '\\|');

const markdownWitness = (a: WitnessArgs, x: Situation, w: Witness): string =>
  [
    `### dmacheck witness: \`${a.design}\` ${w.kind === 'reached' ? 'reaches' : 'does not reach'} \`${x.id}\``,
    '',
    `Situation: ${x.what} (guarded by \`${x.invariant}\`).`,
    '',
    ...(w.kind === 'reached'
      ? [
          '| # | kernel call | effect |',
          '|---:|---|---|',
          ...w.trace.map((t, i) => `| ${i + 1} | \`${cell(formatOp(t.op))}\` | ${cell(describeEvents(t.events).join('; '))}${i === w.trace.length - 1 ? ` **<- reaches \`${x.id}\`**` : ''} |`),
          '',
          `A shortest trace: ${w.depth} design step(s), ${w.states} states explored${smaller(a)}.`,
        ]
      : [`${notReached(w)}${smaller(a)}.`]),
    '',
    'Replay:',
    '',
    '```sh',
    shellLine(replayWords(a, x)),
    '```',
    '',
  ].join('\n');

const jsonWitness = (a: WitnessArgs, x: Situation, w: Witness): object => ({
  design: a.design,
  situation: x.id,
  invariant: x.invariant,
  what: x.what,
  ...(a.world.without.length === 0 ? {} : { without: a.world.without }),
  ...(a.world.name === 'default' && Object.keys(a.world.set).length === 0 ? {} : { world: { name: a.world.name, set: a.world.set } }),
  ...(w.kind === 'reached'
    ? { reached: true, depth: w.depth, states: w.states, steps: w.trace.map((t) => ({ ...toJsonStep(t.op), effects: describeEvents(t.events) })) }
    : { reached: false, complete: w.complete, depth: w.depth, states: w.states }),
});

export const witnessCommand = (a: WitnessArgs): number => {
  const unknown = a.reach.find((r) => situationById(r) === undefined);
  if (unknown !== undefined) {
    console.error(`dmacheck: --reach: unknown situation ${quoted(unknown)} (expected one of: ${situations.map((x) => x.id).join(', ')})`);
    return 2;
  }
  const bad = worldError([a.design], a.world);
  if (bad !== null) {
    console.error(`dmacheck: ${bad}`);
    return 2;
  }
  const design = inWorld(designById(a.design)!, a.world);
  const bounds = { maxStates: a.maxStates, ...(a.depth === undefined ? {} : { maxDepth: a.depth }) };
  const asked = a.reach.length === 0 ? situations : a.reach.map((r) => situationById(r)!);
  const note = progressNote(a.format === 'json');
  const found = asked.map((x, i) => {
    note(`witness: ${x.id} (${i + 1} of ${asked.length})`);
    return { x, w: findWitness(design, x, bounds) };
  });
  note(null);
  if (a.reach.length === 0) {
    if (a.format === 'json') console.log(JSON.stringify(found.map(({ x, w }) => jsonWitness(a, x, w)), null, 2));
    else {
      const wi = Math.max(...found.map(({ x }) => x.id.length));
      const wv = Math.max(...found.map(({ x }) => x.invariant.length));
      console.log(`dmacheck witness: ${a.design}; bounds: ${a.depth === undefined ? 'no depth bound' : `depth ${a.depth}`}, ${a.maxStates} states per situation${smaller(a)}\n`);
      for (const { x, w } of found)
        console.log(`${x.id.padEnd(wi)}  ${x.invariant.padEnd(wv)}  ${w.kind === 'reached' ? `reached: shortest trace ${w.depth} step(s), ${w.trace.length} kernel call(s)` : notReached(w)}`);
    }
    return 0;
  }
  for (const { x, w } of found)
    process.stdout.write(
      match(a.format)
        .with('text', () => textWitness(a, x, w))
        .with('markdown', () => markdownWitness(a, x, w))
        .with('json', () => `${JSON.stringify(jsonWitness(a, x, w), null, 2)}\n`)
        .exhaustive(),
    );
  return found.every(({ w }) => w.kind === 'reached') ? 0 : 1;
};

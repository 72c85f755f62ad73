/**
 * `dmacheck COMMAND --help` (or `dmacheck help COMMAND`): each command's
 * own usage, what each option does, and what its exit status means.
 * `dmacheck --help` alone prints the overview of every command (args.ts).
 */
import { namedWorlds, worldKnobs } from '../model/designs/world-choice.ts';
import { defaults } from './args.ts';

export const commands = ['check', 'explore', 'replay', 'save', 'report', 'witness'] as const;
export type Command = (typeof commands)[number];

// Built when asked for: args.ts imports this module for `isCommand`, and these read its defaults.
const worldLines = (): ReadonlyArray<string> => [
  `  --world NAME         a named world: ${namedWorlds.map((w) => w.name).join(', ')} (docs/exploring.md);`,
  '                       complete with no --design: every design that names its complete world',
  `  --set KEY=N[,...]    change sizes and bounds: ${Object.keys(worldKnobs).join(', ')}`,
  '  --without STEP       leave a step template out (repeatable): a smaller world',
];

const texts = (): Readonly<Record<Command, ReadonlyArray<string>>> => ({
  check: [
    'usage: dmacheck check [--design ID]... [--invariant ID]... [--runs N] [--seed S] [--max-commands N]',
    '                      [--path P] [--confirm-states N] [WORLD] [--json] [--save] [--no-timing]',
    '       dmacheck check --seeds A..B [--design ID]... [--invariant ID]... [--runs N] [--max-commands N] [WORLD] [--json]',
    '',
    'Search each design for a violation of each invariant (fast-check, stateful runs of its steps),',
    'print the verdict table and a report of every violation with its shrunk trace and the command',
    'that replays it.',
    '',
    '  --design ID          a design (repeatable; default: every design)',
    '  --invariant ID       an invariant (repeatable; default: every invariant)',
    `  --runs N             runs per search (default ${defaults.runs}, or the design's own budget where it asks for more)`,
    `  --seed S             the search's seed (default ${defaults.seed}); --seeds A..B: each seed of a range, counted`,
    `  --max-commands N     steps per run (default ${defaults.maxCommands}, or the design's own)`,
    '  --path P             replay one failing run of an earlier search (printed in its Replay line)',
    `  --confirm-states N   how far the explorer looks for a shorter trace (default ${defaults.confirmStates}; 0: do not look)`,
    ...worldLines(),
    '  --json               the verdicts as JSON',
    '  --save               save each violation into counterexamples/<design>/',
    '  --no-timing          leave the time columns out (two runs print the same bytes)',
    '',
    'exit status: 0 every verdict is what its design expects (violations included; an',
    '             expectation of unknown is reported, never counted); 1 a verdict differs',
    '             from its design\'s expectation; 2 bad usage.',
  ],
  explore: [
    'usage: dmacheck explore [--design ID]... [--invariant ID]... [--depth K] [--max-states N] [WORLD]',
    '                        [--fingerprints] [--go-on] [--no-process-symmetry] [--workers N] [--json]',
    '                        [--save] [--no-timing]',
    '       dmacheck explore --reference P-V-B-M [--buggy] [--json]',
    '',
    'Breadth-first search over every enabled step of each design: a shortest trace for each',
    'violation, and each hold with the bound it was checked to (the whole reachable space, or a',
    'depth). With one --invariant it stops at that invariant\'s first (shortest) violation.',
    '',
    '  --design ID, --invariant ID   as check (repeatable)',
    '  --depth K            explore traces of at most K design steps',
    `  --max-states N       states per design (default ${defaults.maxStates})`,
    ...worldLines(),
    '  --fingerprints       keep 53-bit fingerprints of visited states, not their keys (hash compaction:',
    '                       a fraction of the memory; the chance that a state went unexplored is printed)',
    "  --go-on              with one --invariant, go on past its first violation to the bound",
    '  --no-process-symmetry  tell processes apart by creation order, not by what they hold (the',
    '                       reduction off: more states, the same verdicts; docs/exploring.md)',
    '  --workers N          expand states on N worker threads (default 1: this thread alone); the',
    '                       counts, verdicts and traces are the same for every N',
    '  --json, --save, --no-timing   as check',
    '  --reference P-V-B-M  the benchmark model of shared/bench (--buggy: its buggy variant)',
    '',
    'exit status: 0 no verdict contradicts a design\'s expectation (a violation beyond the bound',
    '             does not, nor does anything found for an expectation of unknown); 1 one does;',
    '             2 bad usage.',
  ],
  replay: [
    'usage: dmacheck replay [FILE|-]... [--design OTHER]',
    '',
    'Replay saved counterexamples (default: every file under counterexamples/) or pasted text or',
    'markdown reports (- reads standard input): each must violate its invariant exactly at its',
    'step. With --design, run each trace on another design and say what happens there.',
    '',
    'exit status: 0 every file replays as recorded; 1 one does not (each difference is named);',
    '             2 a file cannot be read (one line naming the file and field) or bad usage.',
  ],
  save: [
    'usage: dmacheck save FILE|-... [--title TEXT]',
    '',
    'Save pasted reports (text or markdown, from a mail or a review) into counterexamples/, after',
    'checking that each replays to the violation it reports. Nothing is overwritten.',
    '',
    'exit status: 0 saved (or already saved); 1 a report does not replay as it says; 2 unreadable',
    '             input or bad usage.',
  ],
  report: [
    'usage: dmacheck report FILE [--format text|markdown|mermaid|json|html]',
    '',
    'Write a counterexample up for a review: a 72-column text report (default), markdown, a Mermaid',
    'sequence diagram, JSON, or a self-contained HTML page with every state.',
    '',
    'exit status: 0 written; 2 a file that cannot be read or replayed (one line naming it), or bad usage.',
  ],
  witness: [
    'usage: dmacheck witness --design ID [--reach SITUATION]... [--depth K] [--max-states N] [WORLD]',
    '                        [--format text|markdown|json]',
    '',
    'Which situations an invariant guards does the design reach (breadth-first), and the shortest',
    'trace to each one asked for: a hold is vacuous where its situation is never reached.',
    '',
    ...worldLines(),
    '',
    'exit status: 0 done; 1 a situation asked for is not reached within the bound; 2 bad usage.',
  ],
});

export const commandHelp = (c: Command): string => texts()[c].join('\n');

export const isCommand = (c: string | undefined): c is Command => commands.some((x) => x === c);

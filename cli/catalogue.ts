/**
 * docs/designs.md is generated from the design modules, so the catalogue
 * cannot drift from what the search runs: `npm run docs` rewrites it and
 * a test fails when the committed file differs.
 */
import { designs } from '../model/designs/index.ts';
import type { Design } from '../model/designs/design.ts';
import { invariantIds } from '../properties/invariant.ts';
import { recipeByName } from '../model/designs/importers/index.ts';

const eraLine = (d: Design): string =>
  Object.entries(d.world.era)
    .map(([k, v]) => `${k} ${v ? 'yes' : 'no'}`)
    .join(', ');

/** The driver code a design's devices run, step by step, as the model runs it. */
const driverCode = (d: Design): ReadonlyArray<string> =>
  d.world.devices.flatMap((dev, id) => {
    if (dev.driver === undefined) return [];
    const listing = (role: string, name: string | undefined): string[] => {
      if (name === undefined) return [];
      const r = recipeByName(name);
      return r === undefined
        ? [`- ${role}: \`${name}\` (unknown recipe)`]
        : [`- ${role} \`${r.name}\`: ${r.summary}`, '', ...r.listing.map((l, i) => `  ${i + 1}. \`${l}\``), ''];
    };
    return [
      `Driver code of device ${id} (${dev.name}), run as driver threads the search interleaves with everything else:`,
      '',
      ...listing('invalidate callback', dev.driver.invalidate),
      ...listing('map path', dev.driver.mapPath),
      ...listing('dma-buf move_notify', dev.driver.moveNotify),
      ...listing('dma-buf map path', dev.driver.mapAttachment),
    ];
  });

const section = (d: Design): string =>
  [
    `## \`${d.id}\`: ${d.title}`,
    '',
    d.summary,
    '',
    `Source: ${d.source}.`,
    '',
    `World: ${d.world.ramPages} RAM pages, a ${d.world.filePages}-page file, one BAR of ${d.world.bars.map((b) => `${b.npages} pages ${b.structPages ? 'with ZONE_DEVICE P2PDMA pages' : 'of raw MMIO (VM_IO|VM_PFNMAP)'}`).join(', ')} on device 0, importer device 1. Kernel era: ${eraLine(d)}.`,
    '',
    `Driver steps (the recipe): ${d.driver.map((t) => `\`${t.name}\``).join(', ')}.`,
    '',
    ...driverCode(d),
    `Environment events: ${d.environment.map((t) => `\`${t.name}\``).join(', ')}.`,
    '',
    ...(d.completeWorld === undefined
      ? []
      : [
          `Complete world (\`--world complete\`): ${Object.keys(d.completeWorld.set).length === 0 ? 'its own' : Object.entries(d.completeWorld.set).map(([k, v]) => `${k}=${v}`).join(', ')}${d.completeWorld.without.length === 0 ? '' : `, without ${d.completeWorld.without.join(', ')}`}. ${d.completeWorld.why}`,
          '',
        ]),
    ...(d.removalHangs === undefined ? [] : [`Provider removal (explore's liveness): expected to hang. ${d.removalHangs}`, '']),
    ...(d.searchRuns === undefined ? [] : [`Search budget: ${d.searchRuns} runs (\`check\` uses it unless \`--runs\` is given).`, '']),
    ...(d.searchCommands === undefined ? [] : [`Search run length: up to ${d.searchCommands} steps (\`check\` uses it unless \`--max-commands\` is given).`, '']),
    ...(d.searchSwarm === true ? ['Swarm search: each run leaves out a random half of the environment events (exit, fork, removal, ...), so that a run gets deep into a race they would cut short.', ''] : []),
    '| invariant | expected | why |',
    '|---|---|---|',
    ...invariantIds.map((i) => `| \`${i}\` | ${d.expected[i].verdict} | ${d.expected[i].why.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');

export const designsMarkdown = (): string =>
  [
    '# Designs',
    '',
    '<!-- Generated from model/designs/ by `npm run docs`; a test keeps it in step. Edit the design files, not this one. -->',
    '',
    'A design is an API proposal written as data: the world it runs in, the driver steps its recipe allows (in protocol order), the environment events it must survive, and the verdict expected for each invariant with a one-line reason. The expectations never decide a verdict: `npm run check` searches, and only then compares. Each template picks its objects as "the k-th live X" in the current state, and the trace records the concrete ids it resolved to.',
    '',
    '| design | ' + invariantIds.map((i) => `\`${i}\``).join(' | ') + ' |',
    '|---|' + invariantIds.map(() => '---|').join(''),
    ...designs.map((d) => `| \`${d.id}\` | ` + invariantIds.map((i) => d.expected[i].verdict).join(' | ') + ' |'),
    '',
    ...designs.map(section),
  ].join('\n');

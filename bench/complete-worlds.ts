/**
 * Benchmark of the complete worlds (issue 17): every design that names one
 * (`completeWorld`) explored to the end of it, one thread, exact visited
 * set. Prints states, transitions, depth, seconds, states/s and bytes per
 * state, and fails when a world does not close or an expected verdict
 * differs: a complete world's holds are over its whole reachable space.
 * Each world of up to 200,000 states is explored twice, with process
 * symmetry (the default key) and without it (`--no-process-symmetry`):
 * the script also fails when the two differ in a verdict or in the length
 * of a shortest trace, or when the reduced run stores more states. The
 * larger worlds (the GUP family's, minutes each) are explored once.
 *
 *   npx tsx bench/complete-worlds.ts      (part of npm run bench; writes bench/out/complete-worlds.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { differs as differsFrom } from '../model/designs/design.ts';
import { designs } from '../model/designs/index.ts';
import { chooseWorld, inWorld } from '../model/designs/world-choice.ts';
import { exploreDesign } from '../properties/explore-dma.ts';
import { invariants } from '../properties/registry.ts';

/** Worlds up to this many states are explored without process symmetry too, and compared. */
const COMPARED_UP_TO = 200_000;

const complete = chooseWorld('complete', {}, []);
if (complete._tag === 'Left') throw new Error(complete.left);
const rows: object[] = [];
const bad: string[] = [];
const width = Math.max(...designs.filter((x) => x.completeWorld !== undefined).map((x) => x.id.length));
console.log('complete worlds: each explored to its end (one thread, exact visited set), with process symmetry and without');
console.log(`${'design'.padEnd(width)} ${'states'.padStart(8)} ${'transitions'.padStart(11)} ${'depth'.padStart(5)} ${'seconds'.padStart(8)} ${'states/s'.padStart(9)} ${'bytes/st'.padStart(9)} ${'unreduced'.padStart(9)} ${'seconds'.padStart(8)}  verdicts`);
for (const d of designs.filter((x) => x.completeWorld !== undefined)) {
  const design = inWorld(d, complete.right);
  const e = exploreDesign(design, invariants, { maxStates: 5_000_000 });
  const r = e.result;
  const off = r.states <= COMPARED_UP_TO ? exploreDesign(design, invariants, { maxStates: 5_000_000, processSymmetry: false }) : null;
  const violated = new Set(e.violations.map((v) => v.invariant));
  const differs = invariants.filter((i) => differsFrom(d.expected[i.id].verdict, violated.has(i.id) ? 'violated' : 'held')).map((i) => i.id);
  if (!r.complete) bad.push(`${d.id}: the complete world did not close at ${r.states} states`);
  if (differs.length > 0) bad.push(`${d.id}: ${differs.join(', ')} differ from the design's expectation`);
  const shortest = (x: typeof e) => x.violations.map((v) => `${v.invariant}:${v.depth}`).sort().join(' ');
  if (off !== null) {
    if (!off.result.complete) bad.push(`${d.id}: without process symmetry the complete world did not close at ${off.result.states} states`);
    if (shortest(off) !== shortest(e)) bad.push(`${d.id}: process symmetry changes the violations or their shortest lengths (${shortest(e) || 'none'} against ${shortest(off) || 'none'} without it)`);
    if (r.states > off.result.states) bad.push(`${d.id}: process symmetry stores more states (${r.states}) than the key without it (${off.result.states})`);
  }
  rows.push({
    design: d.id,
    world: d.completeWorld,
    states: r.states,
    transitions: r.transitions,
    maxDepth: r.maxDepth,
    complete: r.complete,
    seconds: r.seconds,
    statesPerSecond: r.statesPerSecond,
    bytesPerState: e.bytesPerState,
    violated: [...violated],
    ...(off === null ? {} : { withoutProcessSymmetry: { states: off.result.states, transitions: off.result.transitions, seconds: off.result.seconds } }),
  });
  console.log(
    `${d.id.padEnd(width)} ${String(r.states).padStart(8)} ${String(r.transitions).padStart(11)} ${String(r.maxDepth).padStart(5)} ${r.seconds.toFixed(1).padStart(8)} ${Math.round(r.statesPerSecond).toString().padStart(9)} ${Math.round(e.bytesPerState).toString().padStart(9)} ${(off === null ? '-' : String(off.result.states)).padStart(9)} ${(off === null ? '-' : off.result.seconds.toFixed(1)).padStart(8)}  ${violated.size} violated, ${invariants.length - violated.size} held over the whole space`,
  );
}
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/complete-worlds.json', `${JSON.stringify(rows, null, 2)}\n`);
if (bad.length > 0) {
  for (const b of bad) console.error(b);
  process.exit(1);
}

/**
 * Every source of invalidation over process memory can change a verdict:
 * with its mmu notifier call left out (the catalogue mutant of that name,
 * model/variant.ts), `check`'s search finds hmm-mirror, which holds
 * mirror-coherent on the whole model, violating it. A notifier call no
 * verdict depended on would be untested by every design.
 */
import { describe, expect, it } from 'vitest';
import { budgetOf } from '../../model/designs/design.ts';
import { designById } from '../../model/designs/index.ts';
import { withVariant } from '../../model/variant.ts';
import { catalogue } from '../../properties/mutants/catalogue.ts';
import { verdictsFor } from '../../properties/verdicts.ts';
import { defaults } from '../../cli/args.ts';

const mirror = designById('hmm-mirror')!;
const { runs, maxCommands } = budgetOf(mirror, defaults.runs, defaults.maxCommands);

/** Each source, and what the device then does that the CPU would not let it. */
const sources: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['fork-no-notifier', "fork's COW write-protect", /wrote .* but the CPU PTE there is read-only/],
  ['page-mkclean-no-notifier', "writeback's page_mkclean", /wrote .* but the CPU PTE there is read-only/],
  ['cow-break-no-notifier', 'a COW break', /but the CPU page table maps pfn \d+ there now/],
  ['mprotect-no-notifier', 'mprotect', /wrote .* but the VMA there has no VM_WRITE/],
  ['migration-no-notifier', 'migration', /but the CPU page table maps pfn \d+ there now/],
  ['reclaim-no-notifier', 'reclaim', /but the CPU page table maps nothing there now/],
];

describe('each notifier over process memory can flip a verdict of hmm-mirror', () => {
  it('with every notifier in place, the same search holds over more runs than any flip below needed (the baseline)', () => {
    const [v] = verdictsFor(mirror, ['mirror-coherent'], { seed: defaults.seed, runs: 1000, maxCommands });
    expect(v!.verdict).toBe('held');
    expect(v!.exercised).toBeGreaterThan(0);
  });

  for (const [id, source, what] of sources)
    it(`without the notifier of ${source} (${id}), check finds mirror-coherent violated`, () => {
      const m = catalogue.find((x) => x.id === id)!;
      const [v] = withVariant(m.variant, () => verdictsFor(mirror, ['mirror-coherent'], { seed: defaults.seed, runs, maxCommands }));
      expect(v!.verdict).toBe('violated');
      expect(v!.violation!.message).toMatch(what);
    });
});

import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * gup-release: a page reference GUP handed out is given back by the call
 * that matches how it was taken. FOLL_PIN pages go back through
 * unpin_user_page(s) (or unpin_user_pages_dirty_lock), FOLL_GET pages
 * through put_page. put_page() on a pinned order-0 page takes one
 * reference off a count the pin raised by GUP_PIN_COUNTING_BIAS: the pin
 * stays counted with nobody left to drop it, the page is never freed,
 * folio_maybe_dma_pinned() stays true for it (fork copies it, migration
 * and reclaim give up on it), and NR_FOLL_PIN_RELEASED never catches up
 * with NR_FOLL_PIN_ACQUIRED. No runtime check in the kernel reports it.
 *
 * Judges every call by what it dropped and left: a plain reference
 * dropped from pages an array held with FOLL_PIN (what put_page does to
 * them), which on an ordinary page leaves a lost pin (`Frame.lostPins`,
 * a pin still counted that no array holds) and on the shared zero page,
 * which since 6.5 a pin does not reference at all, drops a reference
 * nobody took.
 *
 * @see Documentation/core-api/pin_user_pages.rst ("FOLL_PIN ... must be
 *   released via unpin_user_page()", and the NR_FOLL_PIN_* counters)
 * @see mm/gup.c gup_put_folio(), try_grab_folio() (the bias on small folios)
 */
export const gupRelease: Invariant = {
  id: 'gup-release',
  rule: 'A page GUP pinned (FOLL_PIN) is unpinned with unpin_user_page(s); put_page gives back only what get_user_pages (FOLL_GET) took.',
  source: 'Documentation/core-api/pin_user_pages.rst; mm/gup.c gup_put_folio()',
  check: (before, op, step) => {
    for (const e of step.events) {
      if (e.kind !== 'reference-dropped' || e.pin || before.pageArrays.get(e.pages)?.kind !== 'pin') continue;
      const zero = before.frames[e.pfn]?.mapping.kind === 'zero';
      return O.some(
        zero
          ? `${op.kind} gave back page ${e.pfn}, the shared zero page, which pages ${e.pages} pinned with FOLL_PIN, as a plain reference: since 6.5 the pin took no reference there, so this drops one nobody took`
          : `${op.kind} gave back page ${e.pfn}, which was pinned with FOLL_PIN, as a plain reference: the pin stays counted (GUP_PIN_COUNTING_BIAS on an order-0 page) with nobody to drop it, so the page is never freed and folio_maybe_dma_pinned() stays true`,
      );
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => e.kind === 'reference-dropped'),
};

import * as O from 'fp-ts/lib/Option.js';
import { pinsHeld, stale } from '../../model/ops/gup.ts';
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
 * And each pin is given back once. A driver whose two completion paths
 * both release an array (or that keeps its page pointers after
 * unpin_user_pages and unpins them again) subtracts
 * GUP_PIN_COUNTING_BIAS from pages it no longer holds: on a page another
 * pin still holds, folio_maybe_dma_pinned() turns false under that pin and
 * the page can be freed while its device still writes it (which
 * no-dma-after-free then judges); on a page no pin holds, _refcount goes
 * below zero and the page is never freed. NR_FOLL_PIN_RELEASED runs past
 * NR_FOLL_PIN_ACQUIRED; nothing in a production kernel reports it
 * (mm/gup.c put_compound_head() had a VM_BUG_ON for it under
 * CONFIG_DEBUG_VM until gup_put_folio() replaced it).
 *
 * Judges every call by what it dropped and left: a plain reference
 * dropped from pages an array held with FOLL_PIN (what put_page does to
 * them), which on an ordinary page leaves a lost pin (`Frame.lostPins`,
 * a pin still counted that no array holds) and on the shared zero page,
 * which since 6.5 a pin does not reference at all, drops a reference
 * nobody took; a page whose pin count fell below the pins its holders
 * still hold (`pinsHeld`, plus lost pins); and a page freed while an array
 * still held it (its pointer stale from then on).
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
    const after = step.state;
    for (const e of step.events) {
      if (e.kind !== 'page-freed') continue;
      // A page freed while an array still holds a reference on it: only a count that fell below its holders frees it so.
      for (const a of after.pageArrays.values()) {
        const was = before.pageArrays.get(a.id);
        for (const [i, pfn] of a.pfns.entries())
          if (pfn === e.pfn && stale(a, i) && was !== undefined && !stale(was, i))
            return O.some(
              `${op.kind} freed page ${pfn} while pages ${a.id} still hold a ${a.kind === 'pin' ? 'pin' : 'reference'} on it: a release took a count its caller no longer held, and that holder's device may still write the page`,
            );
      }
    }
    for (const e of step.events) {
      if (e.kind !== 'reference-dropped') continue;
      const f = after.frames[e.pfn]!;
      const held = e.pin ? pinsHeld(after, e.pfn) : 0;
      if (e.pin && f.pincount < held + f.lostPins)
        return O.some(
          `${op.kind} gave back a pin on page ${e.pfn} that its caller no longer held: the page's pin count is ${f.pincount} for ${held} pin(s) still held${f.lostPins === 0 ? '' : ` and ${f.lostPins} lost`}, so GUP_PIN_COUNTING_BIAS came off ${held === 0 ? 'a count no pin raised: _refcount goes below zero and the page is never freed' : "another holder's pin: folio_maybe_dma_pinned() turns false under it, and the page can be freed while that holder's device uses it"}`,
        );
      if (e.pin || e.pages === null || before.pageArrays.get(e.pages)?.kind !== 'pin') continue;
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

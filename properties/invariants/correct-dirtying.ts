import * as O from 'fp-ts/lib/Option.js';
import type { Invariant } from '../invariant.ts';

/**
 * correct-dirtying: data a device wrote into user pages reaches the
 * filesystem. Three rules:
 *   1. a FOLL_WRITE reference or pin is not dropped while its page holds
 *      device-written data nobody dirtied (set_page_dirty_lock then
 *      put_page, or unpin_user_pages_dirty_lock). A write is lost only
 *      if the page was clean when the device wrote it: a dirty page is
 *      written back with the device's data, and writeback cannot run
 *      between the device write and a later dirtying. Read-only
 *      references are not judged: a device cannot write through them;
 *   2. before 6.2, dirtying never applies to __iomem (P2PDMA pages have
 *      no page-cache meaning; Gunthorpe 2019). Since the 6.2
 *      FOLL_PCI_P2PDMA series, GUP hands P2PDMA pages to O_DIRECT on
 *      purpose, and bio_set_pages_dirty / unpin_user_pages_dirty_lock
 *      dirty them as any other page (harmless: no mapping, no
 *      writeback), so the rule no longer applies in that era;
 *   3. a page-cache page is only dirtied while the filesystem still has
 *      its private state (buffers) for it: otherwise ->writepage finds a
 *      dirty page it never prepared (ext4 BUG_ON in ext4_writepage until
 *      5.18, then a warning that drops the data, cc5095747edf);
 *   4. reclaim does not free a page-cache page that holds device-written
 *      data nobody dirtied: a clean page is dropped, not written back, so
 *      the device's write is lost (a device writing through a mapping
 *      writeback had cleaned, when page_mkclean's write-protect did not
 *      reach it).
 *
 * @see Documentation/core-api/pin_user_pages.rst (FOLL_PIN, dirtying, TODO)
 * @see Jan Kara and John Hubbard on linux-fsdevel/linux-mm, 2018: reclaim
 *   strips buffers of a GUP-referenced page, the driver's later
 *   set_page_dirty_lock leaves a dirty page without buffers.
 * @see d824ec2a1546 "mm: do not reclaim private data from pinned page" (6.4)
 * @see Gunthorpe, 31 Jan 2019, point (3): dirtying does not apply to BARs.
 * Gaps: stable pages (a device write during writeback) are not modelled.
 */
export const correctDirtying: Invariant = {
  id: 'correct-dirtying',
  rule: 'Device-written user pages are dirtied before release (and before reclaim drops them), never iomem, and only while the filesystem can write them back.',
  source: 'Documentation/core-api/pin_user_pages.rst; Kara/Hubbard 2018; d824ec2a1546; cc5095747edf',
  check: (before, _op, step) => {
    for (const e of step.events) {
      if (e.kind === 'reference-dropped' && e.write && e.undirtiedDeviceData)
        return O.some(`the ${e.pin ? 'pin' : 'reference'} on page ${e.pfn} (pages ${e.pages}) was dropped while it held device-written data nobody dirtied: the write is lost`);
      if (e.kind === 'page-freed') {
        const was = before.frames[e.pfn]!;
        // Migration frees the old page too, after copying it: the data lives on in the new page.
        if (was.mapping.kind === 'file' && was.deviceWroteSinceDirtied && step.state.inodes[was.mapping.inode]?.cache[was.mapping.index] === null)
          return O.some(`page ${e.pfn} (inode ${was.mapping.inode}, index ${was.mapping.index}) was freed from the page cache while it held data a device wrote after the page was last dirtied: a clean page is dropped, not written back, and the write is lost`);
        continue;
      }
      if (e.kind !== 'page-dirtied') continue;
      const f = step.state.frames[e.pfn]!;
      if (f.bar !== null && !before.era.p2pGupGate) return O.some(`page ${e.pfn} was dirtied, but it is __iomem in BAR ${f.bar}: dirtying has no meaning there`);
      if (f.mapping.kind === 'file' && !f.fsPrivate)
        return O.some(
          `page ${e.pfn} (inode ${f.mapping.inode}, index ${f.mapping.index}) was dirtied after reclaim released its buffers: ->writepage gets a dirty page the filesystem never prepared`,
        );
    }
    return O.none;
  },
  exercised: (_before, _op, step) => step.events.some((e) => (e.kind === 'reference-dropped' && e.write) || e.kind === 'page-dirtied'),
};

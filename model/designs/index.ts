/** Every design, in report order. Adding a design is adding its file and one line here. */
import type { Design } from './design.ts';
import { blkDmaIova, blkDmaIova617 } from './blk-dma-iova.ts';
import { vfioDmabufPhys, vfioDmabufPhysFixed } from './vfio-dmabuf-phys.ts';
import { dmaApiMisuse } from './dma-api-misuse.ts';
import { dmaOnlySgl } from './dma-only-sgl.ts';
import { follPciP2pdma, follPciP2pdmaBounce, follPciP2pdmaIntegrity } from './foll-pci-p2pdma.ts';
import { gupDontfork } from './gup-dontfork.ts';
import { gupSetPageDirty } from './gup-set-page-dirty.ts';
import { hmmMirrorNoRetry } from './hmm-mirror-noretry.ts';
import { hmmMirrorSkipHarmless } from './hmm-mirror-skip-harmless.ts';
import { hmmMirror } from './hmm-mirror.ts';
import { p2pdmaPageSgl } from './p2pdma-page-sgl.ts';
import { p2pdmaSoftRdma, p2pdmaSoftRdmaUnguarded } from './p2pdma-soft-rdma.ts';
import { p2pmemMmap, p2pmemMmap618 } from './p2pmem-mmap.ts';
import { pinUserPages59 } from './pin-user-pages-5-9.ts';
import { pinUserPages } from './pin-user-pages.ts';
import { pinForkGupFast, pinForkGupFast510 } from './pin-fork-gup-fast.ts';
import { pinSwap, pinSwap510 } from './pin-swap.ts';
import { pinSoftDirty, pinSoftDirty510 } from './pin-soft-dirty.ts';
import { vmaP2pMapNotifierHmmLiteral } from './vma-p2p-map-notifier-hmm-literal.ts';
import { vmaP2pMapNotifierReadOnly } from './vma-p2p-map-notifier-readonly.ts';
import { vmaP2pMapNotifierRecordUnlocked } from './vma-p2p-map-notifier-record-unlocked.ts';
import { vmaP2pMapNotifierNoRetry } from './vma-p2p-map-notifier-noretry.ts';
import { vmaP2pMapNotifierProgramUnlocked } from './vma-p2p-map-notifier-program-unlocked.ts';
import { vmaP2pMapNotifierNoStop } from './vma-p2p-map-notifier-nostop.ts';
import { vmaP2pMapNotifierWholeVma } from './vma-p2p-map-notifier-whole-vma.ts';
import { vmaP2pMapNotifier } from './vma-p2p-map-notifier.ts';
import { vmaP2pMap } from './vma-p2p-map.ts';
import { vmsplice, vmsplice58, vmspliceLeak } from './vmsplice.ts';
import { dmabufDynamic, dmabufDynamicNowait, dmabufPinnedRefused, dmabufPinnedRevoke, vfioDmabufMapUnlocked, vfioDmabufRevoke } from './vfio-dmabuf.ts';

export const designs: ReadonlyArray<Design> = [gupSetPageDirty, gupDontfork, pinUserPages, pinUserPages59, p2pdmaPageSgl, vmaP2pMap, vmaP2pMapNotifier, vmaP2pMapNotifierReadOnly, vmaP2pMapNotifierRecordUnlocked, vmaP2pMapNotifierHmmLiteral, vmaP2pMapNotifierNoRetry, vmaP2pMapNotifierProgramUnlocked, vmaP2pMapNotifierNoStop, vmaP2pMapNotifierWholeVma, hmmMirror, hmmMirrorSkipHarmless, hmmMirrorNoRetry, follPciP2pdma, follPciP2pdmaIntegrity, follPciP2pdmaBounce, p2pdmaSoftRdma, p2pdmaSoftRdmaUnguarded, dmaOnlySgl, dmaApiMisuse, vmspliceLeak, vmsplice58, vmsplice, vfioDmabufRevoke, vfioDmabufMapUnlocked, dmabufPinnedRevoke, dmabufPinnedRefused, dmabufDynamic, dmabufDynamicNowait, pinForkGupFast510, pinForkGupFast, pinSwap510, pinSwap, pinSoftDirty510, pinSoftDirty, p2pmemMmap618, p2pmemMmap, blkDmaIova617, blkDmaIova, vfioDmabufPhys, vfioDmabufPhysFixed];

export const designById = (id: string): Design | undefined => designs.find((d) => d.id === id);

/** Every invariant, in one place, in report order. */
import type { Invariant, InvariantId } from './invariant.ts';
import { correctDirtying } from './invariants/correct-dirtying.ts';
import { dmaApiHygiene } from './invariants/dma-api-hygiene.ts';
import { dmabufProtocol } from './invariants/dmabuf-protocol.ts';
import { gupRelease } from './invariants/gup-release.ts';
import { iovaState } from './invariants/iova-state.ts';
import { isolation } from './invariants/isolation.ts';
import { mirrorCoherent } from './invariants/mirror-coherent.ts';
import { mapWithinVmaLifetime } from './invariants/map-within-vma-lifetime.ts';
import { noCpuIomem } from './invariants/no-cpu-iomem.ts';
import { noDmaAfterFree } from './invariants/no-dma-after-free.ts';
import { notifierProtocol } from './invariants/notifier-protocol.ts';
import { p2pReachable } from './invariants/p2p-reachable.ts';
import { pinCoherent } from './invariants/pin-coherent.ts';
import { providerRemoval } from './invariants/provider-removal.ts';

export const invariants: ReadonlyArray<Invariant> = [noCpuIomem, mapWithinVmaLifetime, correctDirtying, noDmaAfterFree, pinCoherent, notifierProtocol, dmaApiHygiene, providerRemoval, mirrorCoherent, gupRelease, isolation, dmabufProtocol, iovaState, p2pReachable];

export const invariantById = (id: InvariantId): Invariant => invariants.find((i) => i.id === id)!;

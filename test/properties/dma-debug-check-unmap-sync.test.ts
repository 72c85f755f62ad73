/**
 * dma-api-hygiene judged call by call, against the state the call was made
 * in: the full dma-debug text of check_unmap() and check_sync() for each
 * mapping API, and the correct calls it must let pass.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/op.ts';
import type { State } from '../../model/state.ts';
import { step } from '../../model/step.ts';
import { dmaApiHygiene } from '../../properties/invariants/dma-api-hygiene.ts';
import { IMPORTER, designWorld, lastId, mmapBar, run, world } from '../model/helpers.ts';

/** The verdict of dma-api-hygiene on `op` made in `s` (the model accepts these void calls). */
const judge = (s: State, op: Op): string | null => {
  const r = step(s, op);
  if (E.isLeft(r)) return expect.fail(`${op.kind} was rejected: ${r.left.reason}`);
  return O.toNullable(dmaApiHygiene.check(s, op, r.right));
};

/**
 * The importer (device 1, behind a merging IOMMU) holds: mapping 4, a two-page anon table (sgl 3) by dma_map_sg
 * DMA_TO_DEVICE; mapping 8, two P2PDMA pages (sgl 7) by pci_p2pdma_map_sg DMA_FROM_DEVICE (bus address 0x1000000);
 * mapping 9, sgl 3 again by dma_map_sg DMA_FROM_DEVICE; mapping 10, page 1 by dma_map_single DMA_BIDIRECTIONAL;
 * mapping 12, one page by sgl_dma_map_user.
 */
const { state: mapped } = run(
  designWorld('dma-api-misuse'),
  { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'anon' } },
  { kind: 'pin_user_pages', mm: 0, start: 0, npages: 2, write: true, longterm: false, p2pdma: false },
  { kind: 'sg_alloc_table_from_pages', pages: 2 },
  { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'to-device' },
  { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'p2pmem', bar: 0 } },
  { kind: 'pin_user_pages', mm: 0, start: 2, npages: 2, write: true, longterm: false, p2pdma: true },
  { kind: 'sg_alloc_table_from_pages', pages: 6 },
  { kind: 'pci_p2pdma_map_sg', dev: 1, sgl: 7, dir: 'from-device' },
  { kind: 'dma_map_sg', dev: 1, sgl: 3, dir: 'from-device' },
  { kind: 'dma_map_single', dev: 1, page: 1, dir: 'bidirectional' },
  { kind: 'sgl_dma_map_user', dev: 1, mm: 0, start: 0, npages: 1, dir: 'from-device' },
);

describe('dma-api-hygiene: check_unmap() of each mapping API', () => {
  it('the test world holds the five mappings the cases name', () => {
    expect([...mapped.mappings.values()].map((m) => [m.id, m.api, m.dir])).toEqual([
      [4, 'dma_map_sg', 'to-device'],
      [8, 'pci_p2pdma_map_sg', 'from-device'],
      [9, 'dma_map_sg', 'from-device'],
      [10, 'dma_map_single', 'bidirectional'],
      [12, 'sgl_dma_map_user', 'from-device'],
    ]);
  });

  it('dma_unmap_single without dma_mapping_error: "failed to check map error" at the page address, mapped as single', () => {
    expect(judge(mapped, { kind: 'dma_unmap_single', mapping: 10, dev: 1, dir: 'bidirectional' })).toBe(
      'DMA-API: device 1: device driver failed to check map error [device address=0x0000000000001000] [size=4096 bytes] [mapped as single]',
    );
  });

  it('dma_mapping_error then dma_unmap_single with the same direction passes', () => {
    const { state } = run(mapped, { kind: 'dma_mapping_error', dev: 1, mapping: 10 });
    expect(judge(state, { kind: 'dma_unmap_single', mapping: 10, dev: 1, dir: 'bidirectional' })).toBeNull();
  });

  it('dma_unmap_single of a dma_map_single DMA_BIDIRECTIONAL address with DMA_TO_DEVICE: different direction', () => {
    expect(judge(mapped, { kind: 'dma_unmap_single', mapping: 10, dev: 1, dir: 'to-device' })).toBe(
      'DMA-API: device 1: device driver frees DMA memory with different direction [device address=0x0000000000001000] [size=4096 bytes] [mapped with DMA_BIDIRECTIONAL] [unmapped with DMA_TO_DEVICE]',
    );
  });

  it('dma_unmap_page of a dma_map_sg mapping: wrong function, scatter-gather vs single', () => {
    expect(judge(mapped, { kind: 'dma_unmap_page', mapping: 9, dev: 1, dir: 'from-device' })).toBe(
      'DMA-API: device 1: device driver frees DMA memory with wrong function [device address=0x0000000000000000] [size=8192 bytes] [mapped as scatter-gather] [unmapped as single]',
    );
  });

  it('dma_unmap_sg of a pci_p2pdma_map_sg mapping: wrong function, at the P2PDMA bus address', () => {
    expect(judge(mapped, { kind: 'dma_unmap_sg', mapping: 8, dev: 1, nents: 2, dir: 'from-device' })).toBe(
      'DMA-API: device 1: device driver frees DMA memory with wrong function [device address=0x0000000001000000] [size=8192 bytes] [mapped as pci_p2pdma_map_sg] [unmapped as scatter-gather]',
    );
  });

  it('pci_p2pdma_unmap_sg of its own mapping with the original arguments passes', () => {
    expect(judge(mapped, { kind: 'pci_p2pdma_unmap_sg', mapping: 8, dev: 1, nents: 2, dir: 'from-device' })).toBeNull();
  });

  it('dma_unmap_sg, dma_unmap_page and dma_unmap_single of an sgl_dma_map_user mapping: dma-debug never saw it', () => {
    const untracked = 'DMA-API: device 1: device driver tries to free DMA memory it has not allocated [mapping 12] (made by sgl_dma_map_user, which dma-debug does not track)';
    expect(judge(mapped, { kind: 'dma_unmap_sg', mapping: 12, dev: 1, nents: 1, dir: 'from-device' })).toBe(untracked);
    expect(judge(mapped, { kind: 'dma_unmap_page', mapping: 12, dev: 1, dir: 'from-device' })).toBe(untracked);
    expect(judge(mapped, { kind: 'dma_unmap_single', mapping: 12, dev: 1, dir: 'from-device' })).toBe(untracked);
  });

  it('pci_p2pdma_unmap_sg of an sgl_dma_map_user mapping: wrong function (the p2p unmap is judged by its type)', () => {
    expect(judge(mapped, { kind: 'pci_p2pdma_unmap_sg', mapping: 12, dev: 1, nents: 1, dir: 'from-device' })).toBe(
      'DMA-API: device 1: device driver frees DMA memory with wrong function [device address=0x0000000000000000] [size=4096 bytes] [mapped as sgl_dma_map_user] [unmapped as pci_p2pdma_map_sg]',
    );
  });
});

it('pci_p2pdma_unmap_sg of a p2p_map mapping of a raw BAR: wrong function, mapped as p2p_map', () => {
  const { state: s1 } = run(world(), mmapBar(1));
  const { state } = run(s1, { kind: 'p2p_map', vma: lastId(s1.vmas), dev: IMPORTER, write: true });
  const mapping = lastId(state.mappings);
  const m = judge(state, { kind: 'pci_p2pdma_unmap_sg', mapping, dev: IMPORTER, nents: 1, dir: 'bidirectional' });
  expect(m).toMatch(/^DMA-API: device 1: device driver frees DMA memory with wrong function \[device address=0x[0-9a-f]{16}\] \[size=4096 bytes\] \[mapped as p2p_map\] \[unmapped as pci_p2pdma_map_sg\]$/);
});

describe('dma-api-hygiene: check_sync()', () => {
  it('dma_sync_sg_for_cpu by the provider of the importer mapping: tries to sync DMA memory it has not allocated, it belongs to device 1', () => {
    expect(judge(mapped, { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: 0, nents: 2, dir: 'to-device' })).toBe(
      'DMA-API: device 0: device driver tries to sync DMA memory it has not allocated [mapping 4] (mapping 4 belongs to device 1)',
    );
  });

  it('dma_sync_sg_for_cpu of an sgl_dma_map_user mapping: tries to sync DMA memory it has not allocated', () => {
    expect(judge(mapped, { kind: 'dma_sync_sg_for_cpu', mapping: 12, dev: 1, nents: 1, dir: 'from-device' })).toBe(
      'DMA-API: device 1: device driver tries to sync DMA memory it has not allocated [mapping 12] (made by sgl_dma_map_user, which dma-debug does not track)',
    );
  });

  it('dma_sync_sg_for_device with fewer entries than were mapped: different entry count', () => {
    expect(judge(mapped, { kind: 'dma_sync_sg_for_device', mapping: 4, dev: 1, nents: 1, dir: 'to-device' })).toBe(
      'DMA-API: device 1: device driver syncs DMA sg list with different entry count [map count=2] [sync count=1]',
    );
  });

  it('syncs in the mapping direction pass, for the CPU and for the device, DMA_TO_DEVICE and DMA_FROM_DEVICE alike', () => {
    for (const kind of ['dma_sync_sg_for_cpu', 'dma_sync_sg_for_device'] as const) {
      expect(judge(mapped, { kind, mapping: 4, dev: 1, nents: 2, dir: 'to-device' }), `${kind} DMA_TO_DEVICE`).toBeNull();
      expect(judge(mapped, { kind, mapping: 9, dev: 1, nents: 2, dir: 'from-device' }), `${kind} DMA_FROM_DEVICE`).toBeNull();
    }
  });

  it('a DMA_BIDIRECTIONAL mapping may be synced in either direction', () => {
    expect(judge(mapped, { kind: 'dma_sync_sg_for_cpu', mapping: 10, dev: 1, nents: 1, dir: 'from-device' })).toBeNull();
    expect(judge(mapped, { kind: 'dma_sync_sg_for_device', mapping: 10, dev: 1, nents: 1, dir: 'to-device' })).toBeNull();
  });
});

describe('dma-api-hygiene: device_release_driver and sg_free_table', () => {
  it('device_release_driver with five mappings live: pending DMA allocations, the first one detailed', () => {
    expect(judge(mapped, { kind: 'device_release_driver', dev: 1 })).toBe(
      'DMA-API: device 1: device driver has pending DMA allocations while released from device [count=5] One of leaked entries details: [device address=0x0000000000000000] [size=8192 bytes] [mapped with DMA_TO_DEVICE] [mapped as scatter-gather]',
    );
  });

  it("device_release_driver of the provider passes: the importer's mappings are not its own", () => {
    expect(judge(mapped, { kind: 'device_release_driver', dev: 0 })).toBeNull();
  });

  it('a second device_release_driver of an unbound device reports nothing more, even with its leaked mappings still there', () => {
    const { state } = run(mapped, { kind: 'device_release_driver', dev: 1 });
    expect(state.devices[1]?.bound).toBe(false);
    expect(state.mappings.size).toBe(5);
    const op: Op = { kind: 'device_release_driver', dev: 1 };
    const r = step(state, op);
    if (E.isLeft(r)) return expect.fail(r.left.reason);
    expect(O.toNullable(dmaApiHygiene.check(state, op, r.right))).toBeNull();
    // A device the world does not have is not bound either.
    expect(O.toNullable(dmaApiHygiene.check(state, { kind: 'device_release_driver', dev: 7 }, r.right))).toBeNull();
  });

  it('sg_free_table of the P2PDMA table while it is mapped names its own mapping, and of an unmapped table passes', () => {
    expect(judge(mapped, { kind: 'sg_free_table', sgl: 7 })).toBe(
      'sg_free_table: sgl 7 is freed while mapping 8 (pci_p2pdma_map_sg for device 1) is live: its unmap will read freed memory',
    );
    const { state } = run(mapped, { kind: 'sg_alloc_table_from_pages', pages: 2 });
    expect(judge(state, { kind: 'sg_free_table', sgl: lastId(state.sgls) })).toBeNull();
  });
});

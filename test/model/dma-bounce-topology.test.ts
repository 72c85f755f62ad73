/**
 * Devices that must bounce (swiotlb force), and the PCI topology that
 * decides how a client reaches a provider's BAR (pci_p2pdma_map_type).
 */
import { describe, expect, it } from 'vitest';
import { mapType } from '../../model/dma-address.ts';
import type { Op } from '../../model/op.ts';
import type { PciTopology, State } from '../../model/state.ts';
import { makeWorld, type WorldSpec } from '../../model/world.ts';
import { invariantById } from '../../properties/registry.ts';
import { IMPORTER, P2PDMA_BAR, P2PDMA_BASE, eraWith, gup, lastId, mmapAnon, rejectedWith, run, worldSpec } from './helpers.ts';

/** The test world with the importer forced to bounce, and `pci` as its topology when given. */
const bouncing = (pci?: PciTopology, era = worldSpec().era): State => {
  const w: WorldSpec = worldSpec(era);
  return makeWorld({ ...w, devices: w.devices.map((d, i) => (i === IMPORTER ? { ...d, swiotlbForce: true } : d)), ...(pci === undefined ? {} : { pci }) });
};

/** Provider (0) and importer (1) on root ports of one allowed host bridge; devices 2 and 3 below a switch of it. */
const viaHostBridge: PciTopology = {
  hostBridges: [{ allowListed: true }],
  switches: [{ hostBridge: 0, acsRedirect: false }],
  slots: [{ hostBridge: 0 }, { hostBridge: 0 }, { switch: 0 }, { switch: 0 }],
};

/** Two anonymous pages (pfns 0 and 1) held by get_user_pages with FOLL_WRITE, in a table. */
const ramTable = (s: State): { state: State; sgl: number } => {
  const { state } = run(s, mmapAnon(2), gup(0, 2, true), { kind: 'sg_alloc_table_from_pages', pages: 2 });
  return { state, sgl: lastId(state.sgls) };
};

/** A table of one allocated P2PDMA page. */
const p2pTable = (s: State): { state: State; sgl: number } => {
  const { state: s1 } = run(s, { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 });
  const sgl = lastId(s1.sgls);
  return { state: run(s1, { kind: 'sg_set_page', sgl, index: 0, page: P2PDMA_BASE }).state, sgl };
};

describe('pci_p2pdma_map_type from the topology', () => {
  const s = (t: PciTopology): State => makeWorld({ ...worldSpec(), pci: t });

  it('below a common switch without ACS redirect: bus address; with it, through the host bridge if allowed, else not at all', () => {
    expect(mapType(s(viaHostBridge), 2, 3)).toBe('bus-addr');
    expect(mapType(s({ ...viaHostBridge, switches: [{ hostBridge: 0, acsRedirect: true }] }), 2, 3)).toBe('thru-host-bridge');
    expect(mapType(s({ ...viaHostBridge, switches: [{ hostBridge: 0, acsRedirect: true }], hostBridges: [{ allowListed: false }] }), 2, 3)).toBe('not-supported');
  });

  it('on different root ports: through the host bridge when both bridges are allowed; a device reaches its own BAR by bus address', () => {
    expect(mapType(s(viaHostBridge), 0, 1)).toBe('thru-host-bridge');
    expect(mapType(s({ hostBridges: [{ allowListed: true }, { allowListed: false }], switches: [], slots: [{ hostBridge: 0 }, { hostBridge: 1 }] }), 0, 1)).toBe('not-supported');
    expect(mapType(s(viaHostBridge), 1, 1)).toBe('bus-addr');
  });

  it('without a topology, the peer lists decide', () => {
    const w = makeWorld(worldSpec());
    expect([mapType(w, 0, IMPORTER), mapType(w, 0, 3)]).toEqual(['bus-addr', 'not-supported']);
  });
});

describe('dma_map_sg on a device that must bounce (swiotlb force)', () => {
  it('copies RAM into the bounce slots at map whatever the direction (no stale slot leaks), back at unmap and sync for the CPU when the call says the device may have written it, in again at sync for the device', () => {
    const toDevice = ramTable(bouncing());
    const m = run(toDevice.state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: toDevice.sgl, dir: 'to-device' });
    expect(m.events).toEqual([0, 1].map((pfn) => ({ kind: 'cpu-access', pfn, via: 'swiotlb_bounce', io: false })));
    const out = run(m.state, { kind: 'dma_unmap_sg', mapping: lastId(m.state.mappings), dev: IMPORTER, nents: 2, dir: 'to-device' });
    expect(out.events.filter((e) => e.kind === 'cpu-access')).toEqual([]);

    const fromDevice = ramTable(bouncing());
    const f = run(fromDevice.state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: fromDevice.sgl, dir: 'from-device' });
    expect(f.events).toEqual([0, 1].map((pfn) => ({ kind: 'cpu-access', pfn, via: 'swiotlb_bounce', io: false })));
    const mapping = lastId(f.state.mappings);
    expect(f.state.mappings.get(mapping)!.entries.map((e) => e.bounced)).toEqual([true, true]);
    expect(run(f.state, { kind: 'dma_sync_sg_for_device', mapping, dev: IMPORTER, nents: 2, dir: 'from-device' }).events).toEqual([]);
    expect(run(f.state, { kind: 'dma_sync_sg_for_device', mapping, dev: IMPORTER, nents: 2, dir: 'bidirectional' }).events).toHaveLength(2);
    const sync = run(f.state, { kind: 'dma_sync_sg_for_cpu', mapping, dev: IMPORTER, nents: 2, dir: 'from-device' });
    expect(sync.events).toEqual([0, 1].map((pfn) => ({ kind: 'cpu-access', pfn, via: 'swiotlb_bounce', io: false })));
    const unmap = run(f.state, { kind: 'dma_unmap_sg', mapping, dev: IMPORTER, nents: 2, dir: 'from-device' });
    expect(unmap.events).toEqual([...[0, 1].map((pfn) => ({ kind: 'cpu-access', pfn, via: 'swiotlb_bounce', io: false })), { kind: 'mapping-torn-down', mapping }]);
  });

  it('since 6.0, refuses a P2PDMA page reached through the host bridge rather than bounce it; by bus address it needs no bounce', () => {
    const hb = p2pTable(bouncing(viaHostBridge));
    expect(rejectedWith(hb.state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: hb.sgl, dir: 'to-device' })).toContain('returns 0: entry 0 is a P2PDMA page reached through the host bridge, and device 1 must bounce');
    const bus = p2pTable(bouncing());
    const m = run(bus.state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: bus.sgl, dir: 'to-device' });
    expect(m.events).toEqual([]);
    expect(m.state.mappings.get(lastId(m.state.mappings))!.entries[0]!.reaches).toBe(P2PDMA_BASE);
  });

  it('before 6.0, bounces the P2PDMA page as RAM: a plain CPU copy of __iomem, which no-cpu-iomem names', () => {
    const old = p2pTable(bouncing(viaHostBridge, eraWith({ dmaMapSgP2pdma: false })));
    const op: Op = { kind: 'dma_map_sg', dev: IMPORTER, sgl: old.sgl, dir: 'to-device' };
    const m = run(old.state, op);
    expect(m.events).toEqual([{ kind: 'cpu-access', pfn: P2PDMA_BASE, via: 'swiotlb_bounce', io: false }]);
    const judged = invariantById('no-cpu-iomem').check(old.state, op, m);
    expect(judged).toEqual({ _tag: 'Some', value: 'swiotlb_bounce made a plain CPU access to pfn 8, a ZONE_DEVICE P2PDMA page in BAR 0 of device 0 (__iomem)' });
  });

  it('a device that does not bounce reaches a P2PDMA page through the host bridge at its CPU physical address', () => {
    const w = worldSpec();
    const direct = p2pTable(makeWorld({ ...w, pci: viaHostBridge }));
    const m = run(direct.state, { kind: 'dma_map_sg', dev: IMPORTER, sgl: direct.sgl, dir: 'to-device' });
    expect(m.state.mappings.get(lastId(m.state.mappings))!.entries[0]).toMatchObject({ dma: P2PDMA_BASE, reaches: P2PDMA_BASE });
  });
});

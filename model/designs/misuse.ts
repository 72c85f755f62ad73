/**
 * Driver-bug templates: what a careless driver does with the streaming
 * DMA API. Each template is one class of misuse that CONFIG_DMA_API_DEBUG
 * (or, for wrong bus addresses, a device access) exposes; a design lists
 * the ones its driver may commit next to its correct recipe, and the
 * search finds where each leads. Every call here is one the kernel
 * accepts (the unmap and sync calls are `void`).
 */
import type { Op } from '../op.ts';
import type { DmaDirection, DmaMapping, State } from '../state.ts';
import { type Plan, type StepTemplate, single } from './design.ts';
import { ios, unmapSgAsMapped } from './gup-io.ts';
import { isMapped, mappingsWhere, sglsWhere } from './queries.ts';

const directions: ReadonlyArray<DmaDirection> = ['to-device', 'from-device', 'bidirectional'];

/** Live dma_map_sg mappings of a device whose driver is still bound. */
// Stryker disable next-line OptionalChaining: every mapping's device exists (the map calls refuse a missing device)
const sgMappings = (s: State): ReadonlyArray<DmaMapping> => mappingsWhere(s, (m) => m.api === 'dma_map_sg' && s.devices[m.device]?.bound === true);

const bug = (name: string, f: (s: State) => ReadonlyArray<Op>): StepTemplate => single(`bug:${name}`, 'driver', 1, f);

/** The same dma_unmap_sg twice: the second finds nothing. */
export const unmapTwice: StepTemplate = {
  name: 'bug:unmap_twice',
  role: 'driver',
  weight: 1,
  options: (s) => sgMappings(s).map((m): Plan => [() => unmapSgAsMapped(m), () => unmapSgAsMapped(m)]),
};

export const unmapWrongDevice = bug('unmap_wrong_device', (s) =>
  sgMappings(s).flatMap((m) => s.devices.filter((d) => d.id !== m.device).map((d): Op => ({ ...unmapSgAsMapped(m), dev: d.id } as Op))),
);

export const unmapWrongDirection = bug('unmap_wrong_direction', (s) =>
  sgMappings(s).flatMap((m) => directions.filter((d) => d !== m.dir).map((dir): Op => ({ kind: 'dma_unmap_sg', mapping: m.id, dev: m.device, nents: m.nents, dir }))),
);

/** dma_unmap_sg with the count dma_map_sg returned instead of the one it was given. */
export const unmapReturnedNents = bug('unmap_returned_nents', (s) =>
  sgMappings(s)
    .filter((m) => m.mapped !== m.nents)
    .map((m): Op => ({ kind: 'dma_unmap_sg', mapping: m.id, dev: m.device, nents: m.mapped, dir: m.dir })),
);

/** Unmap with the other API's call: pci_p2pdma_unmap_sg of a dma_map_sg mapping, dma_unmap_sg of a page mapping. */
export const unmapWrongApi = bug('unmap_wrong_api', (s) => [
  ...sgMappings(s).map((m): Op => ({ kind: 'pci_p2pdma_unmap_sg', mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir })),
  ...mappingsWhere(s, (m) => m.api === 'dma_map_page').map((m): Op => ({ kind: 'dma_unmap_sg', mapping: m.id, dev: m.device, nents: 1, dir: m.dir })),
]);

/** A sync after the unmap (a completion path that runs late). */
export const syncAfterUnmap: StepTemplate = {
  name: 'bug:sync_after_unmap',
  role: 'driver',
  weight: 1,
  options: (s) =>
    sgMappings(s).map((m): Plan => [() => unmapSgAsMapped(m), () => ({ kind: 'dma_sync_sg_for_cpu', mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir })]),
};

export const syncWrongDirection = bug('sync_wrong_direction', (s) =>
  sgMappings(s)
    .filter((m) => m.dir !== 'bidirectional')
    .flatMap((m) => directions.filter((d) => d !== m.dir).map((dir): Op => ({ kind: 'dma_sync_sg_for_cpu', mapping: m.id, dev: m.device, nents: m.nents, dir }))),
);

/** sg_free_table while the table is still mapped. */
export const freeTableBeforeUnmap = bug('free_table_before_unmap', (s) =>
  sglsWhere(s, (t) => !t.dmaOnly && isMapped(s, t)).map((t): Op => ({ kind: 'sg_free_table', sgl: t.id })),
);

/** Unbind the importer's driver while it still has mappings. */
export const unbindWithLiveMappings = (dev: number): StepTemplate =>
  bug('unbind_with_live_mappings', (s) =>
    s.devices[dev]?.bound === true && mappingsWhere(s, (m) => m.device === dev).length > 0 ? [{ kind: 'device_release_driver', dev }] : [],
  );

/** A P2PDMA page put in a table and mapped with plain dma_map_sg (the 2019 hazard: before 6.0 it gets its CPU physical address). */
export const dmaMapSgOfP2pdmaPage = (dev: number, bar: number): StepTemplate => ({
  name: 'bug:dma_map_sg_of_p2pdma_page',
  role: 'driver',
  weight: 1,
  options: (s) =>
    s.bars[bar]?.alive === true
      ? [
          [
            () => ({ kind: 'pci_alloc_p2pmem', bar }),
            () => ({ kind: 'sg_alloc_table', nents: 1 }),
            (s1, made) => {
              const page = s1.frames.find((f) => f.bar === bar && !f.free && f.mapping.kind === 'kernel' && !inTable(s1, f.pfn));
              return page === undefined ? null : { kind: 'sg_set_page', sgl: made[1]!, index: 0, page: page.pfn };
            },
            (_s, made) => ({ kind: 'dma_map_sg', dev, sgl: made[1]!, dir: 'from-device' }),
          ],
        ]
      : [],
});

const inTable = (s: State, pfn: number): boolean => [...s.sgls.values()].some((t) => t.entries.some((e) => e.page === pfn));

/** pci_p2pdma_map_sg of a table of RAM pages (the 2019 code does not look at each entry). */
export const p2pdmaMapSgOfRam = (dev: number): StepTemplate =>
  bug('p2pdma_map_sg_of_ram', (s) =>
    sglsWhere(s, (t) => !t.dmaOnly && !isMapped(s, t) && t.entries.every((e) => e.page !== null && s.frames[e.page]!.bar === null)).map(
      (t): Op => ({ kind: 'pci_p2pdma_map_sg', dev, sgl: t.id, dir: 'from-device' }),
    ),
  );

/** Pages of pinned arrays, with the direction their pin allows. */
const pinnedPages = (s: State): ReadonlyArray<{ readonly pfn: number; readonly dir: DmaDirection }> =>
  [...s.pageArrays.values()].flatMap((a) => a.pfns.map((pfn) => ({ pfn, dir: a.write ? ('from-device' as const) : ('to-device' as const) })));

/** The correct single-page recipe: dma_map_page, then dma_mapping_error on what it returned. */
export const mapPage = (dev: number): StepTemplate => ({
  name: 'map_page(dma_map_page, dma_mapping_error)',
  role: 'driver',
  weight: 1,
  options: (s) =>
    pinnedPages(s).map((p): Plan => [() => ({ kind: 'dma_map_page', dev, page: p.pfn, dir: p.dir }), (_s, made) => ({ kind: 'dma_mapping_error', dev, mapping: made[0]! })]),
});

export const unmapPage: StepTemplate = single('dma_unmap_page', 'driver', 1, (s) =>
  mappingsWhere(s, (m) => m.api === 'dma_map_page').map((m): Op => ({ kind: 'dma_unmap_page', mapping: m.id, dev: m.device, dir: m.dir })),
);

/** dma_map_page without dma_mapping_error: dma-debug reports it at unmap. */
export const mapPageUnchecked = (dev: number): StepTemplate =>
  bug('map_page_unchecked', (s) => pinnedPages(s).map((p): Op => ({ kind: 'dma_map_page', dev, page: p.pfn, dir: p.dir })));

/** The device writes a buffer its driver mapped DMA_TO_DEVICE: the driver programmed it to (a wrong command, a reused descriptor). */
export const deviceWritesToDeviceBuffer = bug('device_writes_to_device_buffer', (s) =>
  mappingsWhere(s, (m) => m.dir === 'to-device' && m.api !== 'p2p_map' && s.devices[m.device]?.bound === true).map((m): Op => ({ kind: 'device_write', mapping: m.id, index: 0 })),
);

/**
 * The driver writes the table's DMA addresses into its device, then
 * calls dma_unmap_sg without stopping the device first (a timeout or
 * abort path that tears down before it quiesces): the device still holds
 * the addresses and may go on using them.
 */
export const unmapBeforeQuiesce: StepTemplate = {
  name: 'bug:unmap_before_quiesce',
  role: 'driver',
  weight: 1,
  options: (s) =>
    sgMappings(s)
      .filter((m) => m.origin.kind === 'sgl' && (s.sgls.get(m.origin.sgl)?.pages ?? null) !== null)
      .map((m): Plan => [() => ({ kind: 'device_program', dev: m.device, mapping: m.id }), () => unmapSgAsMapped(m)]),
};

/**
 * A completion path that gives pin_user_pages pages back with put_page,
 * as drivers did before their FOLL_PIN conversion (or after a half-done
 * one): unmap, put_page, free the table. The kernel cannot refuse it.
 */
export const putPageOnPin: StepTemplate = {
  name: 'bug:put_page_on_pin',
  role: 'driver',
  weight: 1,
  options: (s) =>
    ios(s)
      .filter((io) => io.pages.kind === 'pin')
      .map((io): Plan => [() => unmapSgAsMapped(io.mapping), () => ({ kind: 'put_page', pages: io.pages.id }), () => ({ kind: 'sg_free_table', sgl: io.sgl })]),
};

/**
 * Two completion paths that both release (an interrupt handler and a
 * timeout, say): one unmaps, unpins the array and frees the table; the
 * other then unpins, one by one, the page pointers it still has. The
 * kernel takes any pointer: each second unpin_user_page() subtracts a pin
 * that belongs to nobody now, or to another I/O pinning the same page.
 */
export const unpinTwice: StepTemplate = {
  name: 'bug:unpin_twice',
  role: 'driver',
  weight: 1,
  options: (s) =>
    ios(s)
      .filter((io) => io.pages.kind === 'pin')
      .map((io): Plan => [
        () => unmapSgAsMapped(io.mapping),
        () => ({ kind: 'unpin_user_pages', pages: io.pages.id }),
        () => ({ kind: 'sg_free_table', sgl: io.sgl }),
        // The driver's own array of page pointers, as it read it before the first release.
        ...io.pages.pfns.map((page) => () => ({ kind: 'unpin_user_page', page }) as Op),
      ]),
};

/** Every misuse class, for a design whose driver may commit any of them. */
export const misuseTemplates = (dev: number, bar: number): ReadonlyArray<StepTemplate> => [
  unmapTwice,
  unmapWrongDevice,
  unmapWrongDirection,
  unmapReturnedNents,
  unmapWrongApi,
  syncAfterUnmap,
  syncWrongDirection,
  freeTableBeforeUnmap,
  mapPageUnchecked(dev),
  unbindWithLiveMappings(dev),
  dmaMapSgOfP2pdmaPage(dev, bar),
  p2pdmaMapSgOfRam(dev),
  deviceWritesToDeviceBuffer,
  unmapBeforeQuiesce,
  putPageOnPin,
  unpinTwice,
];

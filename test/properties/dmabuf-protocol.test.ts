/**
 * dmabuf-protocol and the dma-buf model: the rule fires on each of its
 * three clauses through paths other than the corpus traces, a correct
 * importer and exporter pass it, and the revoke's move_notify runs as the
 * importer's thread while VFIO's unlock waits for it.
 */
import { describe, expect, it } from 'vitest';
import { designById } from '../../model/designs/index.ts';
import { withVariant } from '../../model/variant.ts';
import { catalogue } from '../../properties/mutants/catalogue.ts';
import type { Op } from '../../model/op.ts';
import { invariantById, invariants } from '../../properties/registry.ts';
import { replay, type ReplayResult } from '../../properties/replay.ts';
import { causesOf } from '../../properties/counterexample/causes.ts';
import { rejectedWith, run, designWorld } from '../model/helpers.ts';

const EXPORT: Op = { kind: 'dma_buf_export', dev: 0, bar: 0 };
const ATTACH: Op = { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true };
const lock = (dev: number): Op => ({ kind: 'dma_resv_lock', dmabuf: 1, dev });
const unlock = (dev: number): Op => ({ kind: 'dma_resv_unlock', dmabuf: 1, dev });
const MAP: Op = { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' };
/** VFIO's revoke up to and including its move_notify. */
const REVOKE: ReadonlyArray<Op> = [lock(0), { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 }, { kind: 'dma_buf_move_notify', dmabuf: 1 }];

/** The RDMA importer's map path run to its end as thread 3: the table is mapping 4, its region work 5. */
const MAP_PATH: ReadonlyArray<Op> = [
  { kind: 'driver_map_attachment', dev: 1, attachment: 2 },
  { ...lock(1), by: 3 },
  { ...MAP, by: 3 },
  { kind: 'driver_keep_sgt', dev: 1, attachment: 2, mapping: 4, by: 3 },
  { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 4, zap: false, by: 3 },
  { ...unlock(1), by: 3 },
  { kind: 'driver_return', dev: 1, err: '0', by: 3 },
];

const check = (design: string, ops: ReadonlyArray<Op>): ReplayResult => replay(designById(design)!, ops, [invariantById('dmabuf-protocol')]);
const violation = (r: ReplayResult): [number, string] => (r.kind === 'violates' ? [r.at, r.violation.message] : [-1, r.kind === 'rejected' ? r.reason : r.kind]);

describe('dmabuf-protocol', () => {
  it('catches an unmap without the reservation lock (the release path, not a map path)', () => {
    const r = check('vfio-dmabuf-revoke', [EXPORT, ATTACH, lock(1), MAP, unlock(1), { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 3 }]);
    expect(violation(r)).toEqual([6, "dma_buf_unmap_attachment of attachment 2 by device 1's driver without the reservation lock of dma-buf 1: dma_resv_assert_held() fails (the importer is responsible for holding it)"]);
  });

  it("catches a map under the exporter's lock rather than the importer's own", () => {
    const r = check('vfio-dmabuf-revoke', [EXPORT, ATTACH, lock(0), MAP]);
    expect(violation(r)[0]).toBe(4);
  });

  it('catches move_notify called without the lock held', () => {
    const r = check('vfio-dmabuf-revoke', [EXPORT, ATTACH, { kind: 'dma_buf_move_notify', dmabuf: 1 }]);
    expect(violation(r)).toEqual([3, 'dma_buf_move_notify of dma-buf 1 without its reservation lock held by the exporter']);
  });

  it('catches move_notify reaching a pinned attachment, and names the pin as its cause', () => {
    const ops: Op[] = [EXPORT, ATTACH, lock(1), { kind: 'dma_buf_pin', attachment: 2 }, MAP, unlock(1), ...REVOKE];
    const r = check('dmabuf-pinned-revoke', ops);
    expect(violation(r)[0]).toBe(9);
    expect(violation(r)[1]).toContain('which device 1\'s driver pinned with dma_buf_pin');
    expect(causesOf(designById('dmabuf-pinned-revoke')!, ops, 'dmabuf-protocol', 9).map((c) => c.step)).toEqual([4]);
  });

  it('passes the correct flow: map under the lock, revoke, the callback unmaps under the exporter\'s lock, unlock, removal', () => {
    const ops: Op[] = [
      EXPORT,
      ATTACH,
      ...MAP_PATH,
      { kind: 'device_write', mapping: 4, index: 0 },
      ...REVOKE,
      { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 4, zap: true, by: 6 },
      { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 4, by: 6 },
      { kind: 'driver_drop_sgt', dev: 1, mapping: 4, by: 6 },
      { kind: 'move_notify_return', attachment: 2, by: 6 },
      unlock(0),
      { kind: 'pci_stop_and_remove_bus_device', dev: 0 },
    ];
    const r = replay(designById('vfio-dmabuf-revoke')!, ops, invariants);
    expect(r.kind === 'holds' ? r.steps : violation(r)).toBe(ops.length);
  });

  it('catches a revoke that ends with a GPU job still running, and passes one that waited for its fence', () => {
    const submitted: Op[] = [EXPORT, { ...ATTACH }, lock(1), MAP, { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 }, { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 3 }, unlock(1), ...REVOKE];
    const nowait = check('dmabuf-dynamic-nowait', [...submitted, { kind: 'move_notify_return', attachment: 2, by: 5 }, unlock(0)]);
    expect(violation(nowait)).toEqual([12, 'the exporter ends its revoke of dma-buf 1 with the fence of job 4 of device 1 unsignalled: the job still reaches the memory (dma_resv_wait_timeout was not called)']);
    const waited = check('dmabuf-dynamic', [...submitted, { kind: 'move_notify_return', attachment: 2, by: 5 }, { kind: 'dma_fence_signal', job: 4 }, { kind: 'dma_resv_wait_timeout', dmabuf: 1 }, unlock(0)]);
    expect(waited.kind === 'holds' ? waited.steps : violation(waited)).toBe(14);
  });

  it('catches the NIC using its memory region after move_notify returned when the zap did nothing (the catalogue mutant), before any removal', () => {
    const ops: Op[] = [
      EXPORT,
      ATTACH,
      ...MAP_PATH,
      ...REVOKE,
      { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 4, zap: true, by: 6 },
      { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 4, by: 6 },
      { kind: 'driver_drop_sgt', dev: 1, mapping: 4, by: 6 },
      { kind: 'move_notify_return', attachment: 2, by: 6 },
      { kind: 'device_write', mapping: 4, index: 0 },
    ];
    const broken = withVariant(catalogue.find((m) => m.id === 'mr-zap-does-nothing')!.variant, () => check('vfio-dmabuf-revoke', ops));
    expect(violation(broken)).toEqual([
      17,
      "device 1 wrote through memory region 5 (table 4 of attachment 2) after attachment 2's move_notify returned: unfenced work must be stopped before move_notify returns, and a table from before it must be mapped again before use",
    ]);
    // With the zap the region is gone: the device has nothing to write through.
    expect(check('vfio-dmabuf-revoke', ops)).toMatchObject({ kind: 'rejected', at: 17 });
  });

  it('catches a fence published without the reservation lock', () => {
    const r = check('dmabuf-dynamic', [EXPORT, ATTACH, lock(1), MAP, unlock(1), { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 }]);
    expect(violation(r)[1]).toBe("dma_resv_add_fence on dma-buf 1 by device 1's driver without its reservation lock: dma_resv_assert_held() fails");
  });
});

describe('the revoke runs the importer\'s move_notify as its thread', () => {
  it("VFIO's revoke thread makes no call until the callback returned; the callback finds the table its driver kept", () => {
    const mapped = run(designWorld('vfio-dmabuf-revoke'), EXPORT, ATTACH, ...MAP_PATH).state;
    // VFIO's revoke path is thread 6; the importer's move_notify thread 7.
    const notifying = run(mapped, { kind: 'driver_revoke', dev: 0, dmabuf: 1 }, { ...lock(0), by: 6 }, { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1, by: 6 }, { kind: 'dma_buf_move_notify', dmabuf: 1, by: 6 }).state;
    expect(rejectedWith(notifying, { ...unlock(0), by: 6 })).toBe("waits: dma_buf_move_notify has not returned: device 1's move_notify runs as thread 7");
    // A map path started now is refused: VFIO set revoked under the lock before move_notify.
    expect(rejectedWith(notifying, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' })).toMatch(/^-ENODEV: /);
    // Before the zap the NIC still reaches the table through its memory region.
    expect(run(notifying, { kind: 'device_read', mapping: 4, index: 0 }).events.map((e) => e.kind)).toEqual(['device-access']);
    const done = run(
      notifying,
      { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 4, zap: true, by: 7 },
      { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 4, by: 7 },
      { kind: 'driver_drop_sgt', dev: 1, mapping: 4, by: 7 },
      { kind: 'move_notify_return', attachment: 2, by: 7 },
      { ...unlock(0), by: 6 },
      { kind: 'driver_return', dev: 0, err: '0', by: 6 },
    ).state;
    expect(done.mappings.size).toBe(0);
    expect(done.jobs.size).toBe(0);
    expect(done.threads.size).toBe(0);
    expect(rejectedWith(done, { kind: 'device_read', mapping: 4, index: 0 })).toMatch(/^ill-formed: /);
    expect(done.dmaBufs.get(1)?.resv).toBeNull();
  });
});

/** How a trace reads: every event's note, a call as `kind(arg=value)`, and the JSON step. */
import { describe, expect, it } from 'vitest';
import type { Event } from '../../model/event.ts';
import type { Op } from '../../model/op.ts';
import { describeEvents, formatOp, toJsonStep } from '../../properties/trace.ts';

describe('describeEvents', () => {
  it('gives each event kind its note, in order, and none to a dropped reference', () => {
    const events: Event[] = [
      { kind: 'vma-destroyed', vma: 3, mm: 0, start: 0, end: 1 },
      { kind: 'page-freed', pfn: 4 },
      { kind: 'mapping-torn-down', mapping: 5 },
      { kind: 'buffers-released', pfn: 6 },
      { kind: 'invalidate-range-start', inv: 7, event: 'MMU_NOTIFY_UNMAP' },
      { kind: 'callback-invoked', inv: 7, notifier: 2, thread: 8 },
      { kind: 'callback-returned', inv: 7, notifier: 2, device: 1, mm: 0, start: 0, end: 1, ret: true },
      { kind: 'callback-returned', inv: 7, notifier: 2, device: 1, mm: 0, start: 0, end: 1, ret: false },
      { kind: 'invalidate-range-end', inv: 7 },
      { kind: 'read-begin', notifier: 2, seq: 9 },
      { kind: 'read-retry', notifier: 2, seq: 9, retry: true },
      { kind: 'read-retry', notifier: 2, seq: 9, retry: false },
      { kind: 'device-programmed', device: 1, range: 10, mapping: 5 },
      { kind: 'device-stopped', device: 1, range: 10 },
      { kind: 'thread-started', thread: 11, recipe: 'hmm-map' },
      { kind: 'call-failed', op: 'p2p_map', reason: '-EFAULT' },
      { kind: 'provider-removed', device: 0 },
      { kind: 'device-access', device: 1, mapping: 5, pfn: 6, gen: 0, reached: 6, write: true },
      { kind: 'device-access', device: 1, mapping: 5, pfn: 6, gen: 0, reached: 6, write: false },
      { kind: 'device-access', device: 1, mapping: 5, pfn: 6, gen: 0, reached: 2, write: true },
      { kind: 'device-access', device: 1, mapping: 5, pfn: 6, gen: 0, reached: null, write: false },
      { kind: 'cpu-access', pfn: 6, via: 'sg_virt', io: true },
      { kind: 'cpu-access', pfn: 0, via: 'load', io: false },
      { kind: 'cpu-access-no-page', sgl: 3, index: 1, via: 'sg_virt' },
      { kind: 'driver-unbound', device: 1 },
      { kind: 'page-dirtied', pfn: 0 },
      { kind: 'reference-dropped', pfn: 0, pages: 2, pin: true, write: true, undirtiedDeviceData: false },
    ];
    expect(describeEvents(events)).toEqual([
      'vma 3 destroyed',
      'page 4 freed',
      'mapping 5 torn down',
      'buffers of page 6 released',
      'invalidate_range_start (MMU_NOTIFY_UNMAP) as invalidation 7',
      "notifier 2's invalidate runs as thread 8",
      "notifier 2's invalidate returned true",
      "notifier 2's invalidate returned false",
      'invalidation 7 ended',
      'seq 9',
      'retry: true',
      'retry: false',
      'device 1 programmed with mapping 5',
      'device 1 stopped (range 10)',
      'hmm-map runs as thread 11',
      'p2p_map failed: -EFAULT',
      'provider device 0 removed',
      'device 1 wrote pfn 6',
      'device 1 read pfn 6',
      'device 1 wrote mapping 5 for pfn 6, reaching pfn 2',
      'device 1 read mapping 5 for pfn 6, reaching no memory',
      'CPU io-accessed pfn 6',
      'CPU accessed pfn 0',
      'CPU dereferenced entry 1 of sgl 3, which has no page',
      'driver of device 1 unbound',
      'page 0 dirtied',
    ]);
  });
});

describe('formatOp and toJsonStep', () => {
  it('a call reads as kind(arg=value, ...), a tagged argument as tag(field=value), an untagged one in braces', () => {
    const mmap: Op = { kind: 'mmap', mm: 0, npages: 2, backing: { kind: 'file', inode: 1 } };
    expect(formatOp(mmap)).toBe('mmap(mm=0, npages=2, backing=file(inode=1))');
    expect(formatOp({ kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'anon' } })).toBe('mmap(mm=0, npages=1, backing=anon)');
    expect(formatOp({ kind: 'driver_lock', dev: 1, by: 7 })).toBe('driver_lock(dev=1, by=7)');
    expect(formatOp({ kind: 'sg_free_table', sgl: 3 })).toBe('sg_free_table(sgl=3)');
    const untagged = { kind: 'munmap', mm: 0, start: 0, npages: 1, extra: { a: 1, b: [2, 3] } } as unknown as Op;
    expect(formatOp(untagged)).toBe('munmap(mm=0, start=0, npages=1, extra={a=1, b={0=2, 1=3}})');
    expect(toJsonStep(mmap)).toEqual({ op: 'mmap', args: { mm: 0, npages: 2, backing: { kind: 'file', inode: 1 } } });
  });
});

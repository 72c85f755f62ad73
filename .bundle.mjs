// model/designs/design.ts
import * as E9 from "fp-ts/lib/Either.js";

// model/driver-thread.ts
import * as E8 from "fp-ts/lib/Either.js";

// model/collections.ts
var put = (m, k, v) => new Map(m).set(k, v);
var drop = (m, k) => {
  const c = new Map(m);
  c.delete(k);
  return c;
};
var replaceAt = (xs, i, x) => xs.map((y, j) => j === i ? x : y);

// model/variant.ts
var active = null;
var activeVariant = () => active;

// model/recipe.ts
var driverView = (s, dev) => ({
  device: dev,
  records: s.records.filter((r) => r.device === dev),
  intervals: [...s.notifiers.values()].filter((n) => n.owner === dev).map((n) => ({ notifier: n.id, mm: n.mm, start: n.start, end: n.end }))
});
var call = (op, then, onError) => ({
  kind: "call",
  op,
  ...then === void 0 ? {} : { then },
  ...onError === void 0 ? {} : { onError }
});
var goto = (pc3) => ({ kind: "goto", pc: pc3 });
var end = () => null;

// model/designs/importers/invalidate.ts
var recordsInRange = (d, t) => d.records.filter((r) => r.notifier === t.notifier && r.start < t.range.end && t.range.start < r.end);
var lock = (_d, t) => call({ kind: "driver_lock", dev: t.device });
var setSeq = (_d, t) => call({ kind: "mmu_interval_set_seq", notifier: t.notifier, seq: t.curSeq });
var stopDevice = (t) => call({ kind: "device_stop_dma", dev: t.device, mm: t.range.mm, start: t.range.start, npages: t.range.end - t.range.start });
var unmapEach = (pc3) => [
  (d, t) => {
    const r = recordsInRange(d, t)[0];
    return r === void 0 ? goto(pc3 + 2) : call({ kind: "p2p_unmap", mapping: r.mapping }, (th) => ({ ...th, pc: pc3 + 1, mapping: r.mapping }));
  },
  (_d, t) => call({ kind: "driver_forget", dev: t.device, mapping: t.mapping ?? 0 }, (th) => ({ ...th, pc: pc3, mapping: null }))
];
var unlock = (_d, t) => call({ kind: "driver_unlock", dev: t.device });
var returnTrue = (_d, t) => call({ kind: "invalidate_callback_return", notifier: t.notifier, ret: true }, end);
var stopAndUnmap = {
  name: "stop-unmap",
  summary: "Take the driver lock, mmu_interval_set_seq, stop the device for the range and wait, p2p_unmap and forget every mapping the driver recorded under this notifier in the range, unlock, return true.",
  listing: [
    "mutex_lock(&driver->update)",
    "mmu_interval_set_seq(sub, cur_seq)",
    "stop the device for the range and wait for DMA in flight",
    "for each mapping of sub recorded in the range: p2p_unmap() it",
    "  and list_del() it from the driver's records",
    "mutex_unlock(&driver->update)",
    "return true"
  ],
  actions: [lock, setSeq, (_d, t) => stopDevice(t), ...unmapEach(3), unlock, returnTrue]
};
var recordOnly = {
  name: "record-only",
  summary: "Take the driver lock, mmu_interval_set_seq, unlock, return true: the device has no way to stop, so it keeps the addresses.",
  listing: ["mutex_lock(&driver->update)", "mmu_interval_set_seq(sub, cur_seq)", "mutex_unlock(&driver->update)", "return true"],
  actions: [lock, setSeq, unlock, returnTrue]
};
var wholeRangeOnly = {
  name: "whole-range-only",
  summary: "Take the driver lock, mmu_interval_set_seq; only if the range is the whole notifier range: stop the device, p2p_unmap and forget every recorded mapping in it; unlock, return true.",
  listing: [
    "mutex_lock(&driver->update)",
    "mmu_interval_set_seq(sub, cur_seq)",
    "if (range->start == sub start && range->end == sub end) stop the device for the range and wait",
    "for each mapping of sub recorded in the range (whole range only): p2p_unmap() it",
    "  and list_del() it from the driver's records",
    "mutex_unlock(&driver->update)",
    "return true"
  ],
  actions: [
    lock,
    setSeq,
    (d, t) => {
      const n = d.intervals.find((i) => i.notifier === t.notifier);
      return n === void 0 || t.range.start !== n.start || t.range.end !== n.end ? goto(5) : stopDevice(t);
    },
    ...unmapEach(3),
    unlock,
    returnTrue
  ]
};
var protectReadOnly = {
  name: "protect-readonly",
  summary: "Take the driver lock, mmu_interval_set_seq; if mmu_notifier_range_update_to_read_only (MMU_NOTIFY_PROTECTION_VMA): make the device page table read-only for the range and keep the mappings; else stop the device, p2p_unmap and forget the recorded mappings in the range; unlock, return true.",
  listing: [
    "mutex_lock(&driver->update)",
    "mmu_interval_set_seq(sub, cur_seq)",
    "if (mmu_notifier_range_update_to_read_only(range)) { write-protect the device page table for the range; goto unlock }",
    "stop the device for the range and wait for DMA in flight",
    "for each mapping of sub recorded in the range: p2p_unmap() it",
    "  and list_del() it from the driver's records",
    "unlock: mutex_unlock(&driver->update)",
    "return true"
  ],
  actions: [
    lock,
    setSeq,
    (_d, t) => t.event === "MMU_NOTIFY_PROTECTION_VMA" ? call({ kind: "device_write_protect", dev: t.device, mm: t.range.mm, start: t.range.start, npages: t.range.end - t.range.start }, (th) => ({ ...th, pc: 6 })) : goto(3),
    (_d, t) => stopDevice(t),
    ...unmapEach(4),
    unlock,
    returnTrue
  ]
};

// model/designs/importers/map-path.ts
var ORDER = [
  "mmget",
  "begin",
  "rlock",
  "find",
  "lockEarly",
  "map",
  "recordEarly",
  "runlock",
  "lock",
  "retry",
  "recordLate",
  "program",
  "unlock",
  "mmput",
  "undo",
  "forget",
  "unlockAgain",
  "unlockMapFail",
  "runlockFail",
  "mmputFail",
  "return"
];
var pc = (l) => ORDER.indexOf(l);
var to = (l) => (t) => ({ ...t, pc: pc(l) });
var nameOf = (o) => !o.checkRetry ? "hmm-map-noretry" : o.record === "early" ? "hmm-map" : o.record === "late" ? "hmm-map-literal" : "hmm-map-locked";
var recorded = (d, t) => d.records.some((r) => r.mapping === t.mapping);
var summaryOf = (o) => [
  "mmget_not_zero, read_begin, mmap_read_lock, find_vma",
  o.record === "locked" ? ", take the driver lock" : "",
  ", p2p_map (refused for a VMA that reaches past the notifier range: p2p_map takes no range)",
  o.record === "late" ? ", mmap_read_unlock, take the driver lock" : ", record the mapping in the driver's list, mmap_read_unlock",
  o.record === "early" ? ", take the driver lock" : "",
  !o.checkRetry ? " (no read_retry check)" : o.record === "late" ? ", read_retry (on retry: p2p_unmap the mapping, unlock, start again)" : ", read_retry (on retry: under the lock, p2p_unmap and forget the mapping if the callback has not already, unlock, start again)",
  o.record === "late" ? ", record the mapping (as hmm.rst records hmm_range_fault's result)" : "",
  ", program the device, unlock, mmput."
].join("");
var listingOf = (o) => [
  "if (!mmget_not_zero(mm)) return -EFAULT",
  "again: seq = mmu_interval_read_begin(sub)",
  "mmap_read_lock(mm)",
  "vma = find_vma(mm, start); if (!vma || vma reaches past the notifier range) goto fail",
  ...o.record === "locked" ? ["mutex_lock(&driver->update)"] : [],
  "map = vma->vm_ops->p2p_map(vma, dev, vma->vm_flags & VM_WRITE)",
  ...o.record === "late" ? [] : ["list_add(map, &driver->mappings)"],
  "mmap_read_unlock(mm)",
  ...o.record === "locked" ? [] : ["mutex_lock(&driver->update)"],
  ...o.checkRetry ? [
    o.record === "late" ? "if (mmu_interval_read_retry(sub, seq)) { p2p_unmap(map); mutex_unlock; goto again }" : "if (mmu_interval_read_retry(sub, seq)) { if (still listed) { p2p_unmap(map); list_del(map) } mutex_unlock; goto again }"
  ] : [],
  ...o.record === "late" ? ["list_add(map, &driver->mappings)"] : [],
  "program the device page table with map's addresses",
  "mutex_unlock(&driver->update)",
  "mmput(mm)",
  `fail: ${o.record === "locked" ? "mutex_unlock if held; " : ""}mmap_read_unlock(mm); mmput(mm); return -EFAULT`
];
var mapPath = (o) => {
  const steps = {
    mmget: (_d, t) => call({ kind: "mmget_not_zero", mm: t.range.mm }, void 0, to("return")),
    begin: (_d, t) => call({ kind: "mmu_interval_read_begin", notifier: t.notifier }, (th, returned) => {
      const e = returned.find((x) => x.kind === "read-begin");
      return { ...th, pc: pc("rlock"), seq: e?.kind === "read-begin" ? e.seq : null, vma: null, mapping: null, entries: null, retry: null };
    }),
    rlock: (_d, t) => call({ kind: "mmap_read_lock", mm: t.range.mm }),
    // p2p_map maps the whole VMA, so the driver maps only a VMA that lies inside its notifier's
    // range, or pages outside the range would be unmapped without its callback hearing of it.
    find: (_d, t) => call(
      { kind: "find_vma", mm: t.range.mm, addr: t.range.start },
      (th, returned) => {
        const e = returned.find((x) => x.kind === "vma-found");
        const v = e?.kind === "vma-found" ? e.vma : null;
        const fits = v !== null && v.p2pMap && v.start >= th.range.start && v.end <= th.range.end;
        return { ...th, pc: pc(fits ? "lockEarly" : "runlockFail"), vma: v };
      },
      to("runlockFail")
    ),
    lockEarly: (_d, t) => o.record === "locked" ? call({ kind: "driver_lock", dev: t.device }) : goto(pc("map")),
    map: (_d, t) => call(
      // Writable where the VMA allows writing (vm_flags & VM_WRITE), read-only after mprotect(PROT_READ).
      { kind: "p2p_map", vma: t.vma?.vma ?? 0, dev: t.device, write: t.vma?.writable ?? true },
      (th, returned) => {
        const e = returned.find((x) => x.kind === "p2p-mapped");
        return e?.kind === "p2p-mapped" ? { ...th, pc: pc("recordEarly"), mapping: e.mapping, entries: e.entries } : { ...th, pc: pc("unlockMapFail") };
      },
      to("unlockMapFail")
    ),
    recordEarly: (_d, t) => o.record === "late" ? goto(pc("runlock")) : call({ kind: "driver_record", dev: t.device, mapping: t.mapping ?? 0 }),
    runlock: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }),
    lock: (_d, t) => o.record === "locked" ? goto(pc("retry")) : call({ kind: "driver_lock", dev: t.device }),
    retry: (_d, t) => o.checkRetry ? call({ kind: "mmu_interval_read_retry", notifier: t.notifier, seq: t.seq ?? 0 }, (th, returned) => {
      const e = returned.find((x) => x.kind === "read-retry");
      const retry = e?.kind === "read-retry" && e.retry;
      return { ...th, retry, pc: pc(retry ? "undo" : "recordLate") };
    }) : goto(pc("recordLate")),
    recordLate: (_d, t) => o.record === "late" ? call({ kind: "driver_record", dev: t.device, mapping: t.mapping ?? 0 }) : goto(pc("program")),
    program: (_d, t) => call({ kind: "device_program", dev: t.device, mapping: t.mapping ?? 0 }),
    unlock: (_d, t) => call({ kind: "driver_unlock", dev: t.device }),
    // Done: drop the mm reference, the thread ends.
    mmput: (_d, t) => call({ kind: "mmput", mm: t.range.mm }, end),
    // Under the driver lock: give back what p2p_map gave, unless a callback already did.
    undo: (d, t) => o.record !== "late" && !recorded(d, t) ? goto(pc("unlockAgain")) : call({ kind: "p2p_unmap", mapping: t.mapping ?? 0 }, to(o.record === "late" ? "unlockAgain" : "forget")),
    forget: (_d, t) => call({ kind: "driver_forget", dev: t.device, mapping: t.mapping ?? 0 }, to("unlockAgain")),
    unlockAgain: (_d, t) => call({ kind: "driver_unlock", dev: t.device }, to("begin")),
    // p2p_map failed (the exporter refused): drop the driver lock if this path took it before.
    unlockMapFail: (_d, t) => o.record === "locked" ? call({ kind: "driver_unlock", dev: t.device }, to("runlockFail")) : goto(pc("runlockFail")),
    runlockFail: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }),
    mmputFail: (_d, t) => call({ kind: "mmput", mm: t.range.mm }),
    return: (_d, t) => call({ kind: "driver_return", dev: t.device, err: "-EFAULT" }, end)
  };
  return { name: nameOf(o), summary: summaryOf(o), listing: listingOf(o), actions: ORDER.map((l) => steps[l]) };
};

// model/designs/importers/mirror.ts
var ORDER2 = [
  "mmget",
  "begin",
  "rlock",
  "fault",
  "runlock",
  "lock",
  "retry",
  "program",
  "unlock",
  "mmput",
  "runlockBusy",
  "unlockAgain",
  "runlockFail",
  "mmputFail",
  "returnFault",
  "runlockPerm",
  "mmputPerm",
  "returnPerm"
];
var pc2 = (l) => ORDER2.indexOf(l);
var to2 = (l) => (t) => ({ ...t, pc: pc2(l) });
var mirrorFault = (o) => {
  const steps = {
    mmget: (_d, t) => call({ kind: "mmget_not_zero", mm: t.range.mm }, void 0, to2("returnFault")),
    begin: (_d, t) => call({ kind: "mmu_interval_read_begin", notifier: t.notifier }, (th, returned) => {
      const e = returned.find((x) => x.kind === "read-begin");
      return { ...th, pc: pc2("rlock"), seq: e?.kind === "read-begin" ? e.seq : null, pfns: null, retry: null };
    }),
    rlock: (_d, t) => call({ kind: "mmap_read_lock", mm: t.range.mm }),
    fault: (_d, t) => call(
      { kind: "hmm_range_fault", notifier: t.notifier, seq: t.seq ?? 0, start: t.range.start, npages: t.range.end - t.range.start, write: t.write },
      (th, returned) => {
        const e = returned.find((x) => x.kind === "hmm-faulted");
        if (e?.kind !== "hmm-faulted" || e.ret === "-EFAULT") return to2("runlockFail")(th);
        return e.ret === "-EBUSY" ? to2("runlockBusy")(th) : { ...th, pc: pc2("runlock"), pfns: e.pfns };
      },
      (th, reason) => to2(reason.startsWith("-EBUSY") ? "runlockBusy" : reason.startsWith("-EPERM") ? "runlockPerm" : "runlockFail")(th)
    ),
    runlock: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }),
    lock: (_d, t) => call({ kind: "driver_lock", dev: t.device }),
    retry: (_d, t) => o.checkRetry ? call({ kind: "mmu_interval_read_retry", notifier: t.notifier, seq: t.seq ?? 0 }, (th, returned) => {
      const e = returned.find((x) => x.kind === "read-retry");
      const retry = e?.kind === "read-retry" && e.retry;
      return { ...th, retry, pc: pc2(retry ? "unlockAgain" : "program") };
    }) : goto(pc2("program")),
    program: (_d, t) => call({ kind: "device_program_pfns", dev: t.device }),
    unlock: (_d, t) => call({ kind: "driver_unlock", dev: t.device }),
    mmput: (_d, t) => call({ kind: "mmput", mm: t.range.mm }, end),
    runlockBusy: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }, to2("begin")),
    unlockAgain: (_d, t) => call({ kind: "driver_unlock", dev: t.device }, to2("begin")),
    runlockFail: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }),
    mmputFail: (_d, t) => call({ kind: "mmput", mm: t.range.mm }),
    returnFault: (_d, t) => call({ kind: "driver_return", dev: t.device, err: "-EFAULT" }, end),
    runlockPerm: (_d, t) => call({ kind: "mmap_read_unlock", mm: t.range.mm }),
    mmputPerm: (_d, t) => call({ kind: "mmput", mm: t.range.mm }),
    returnPerm: (_d, t) => call({ kind: "driver_return", dev: t.device, err: "-EPERM" }, end)
  };
  return {
    name: o.checkRetry ? "hmm-mirror-fault" : "hmm-mirror-fault-noretry",
    summary: [
      "mmget_not_zero, read_begin, mmap_read_lock, hmm_range_fault (HMM_PFN_REQ_FAULT, and HMM_PFN_REQ_WRITE for a device write fault; -EBUSY: unlock and start again; -EPERM or -EFAULT: unlock, mmput, fail the device fault), mmap_read_unlock, take the driver lock",
      o.checkRetry ? ", read_retry (on retry: unlock, start again)" : " (no read_retry check)",
      ", program the device page table from the pfns (read-only where the CPU PTE was), unlock, mmput."
    ].join(""),
    listing: [
      "if (!mmget_not_zero(mm)) return -EFAULT",
      "again: range.notifier_seq = mmu_interval_read_begin(&sub)",
      "mmap_read_lock(mm)",
      "ret = hmm_range_fault(&range); if (ret) { mmap_read_unlock(mm); if (ret == -EBUSY) goto again; mmput(mm); return ret }",
      "mmap_read_unlock(mm)",
      "mutex_lock(&driver->update)",
      ...o.checkRetry ? ["if (mmu_interval_read_retry(&sub, range.notifier_seq)) { mutex_unlock(&driver->update); goto again }"] : [],
      "program the device page table from range.hmm_pfns (HMM_PFN_WRITE: writable)",
      "mutex_unlock(&driver->update)",
      "mmput(mm)"
    ],
    actions: ORDER2.map((l) => steps[l])
  };
};
var lock2 = (_d, t) => call({ kind: "driver_lock", dev: t.device });
var setSeq2 = (_d, t) => call({ kind: "mmu_interval_set_seq", notifier: t.notifier, seq: t.curSeq });
var zap = (t) => call({ kind: "device_stop_dma", dev: t.device, mm: t.range.mm, start: t.range.start, npages: t.range.end - t.range.start });
var unlock2 = (_d, t) => call({ kind: "driver_unlock", dev: t.device });
var returnTrue2 = (_d, t) => call({ kind: "invalidate_callback_return", notifier: t.notifier, ret: true }, end);
var mirrorInvalidate = {
  name: "mirror-invalidate",
  summary: "Take the driver lock, mmu_interval_set_seq, zap the device page table's entries for the range (and wait for the device), unlock, return true.",
  listing: ["mutex_lock(&driver->update)", "mmu_interval_set_seq(sub, cur_seq)", "zap the device page table for range->start..range->end and flush the device TLB", "mutex_unlock(&driver->update)", "return true"],
  actions: [lock2, setSeq2, (_d, t) => zap(t), unlock2, returnTrue2]
};
var HARMLESS = ["MMU_NOTIFY_CLEAR", "MMU_NOTIFY_PROTECTION_PAGE"];
var mirrorInvalidateSkipHarmless = {
  name: "mirror-invalidate-skip-harmless",
  summary: "Take the driver lock, mmu_interval_set_seq; unless the event is MMU_NOTIFY_CLEAR or MMU_NOTIFY_PROTECTION_PAGE, zap the device page table's entries for the range; unlock, return true.",
  listing: [
    "mutex_lock(&driver->update)",
    "mmu_interval_set_seq(sub, cur_seq)",
    "if (range->event != MMU_NOTIFY_CLEAR && range->event != MMU_NOTIFY_PROTECTION_PAGE) zap the device page table for the range",
    "mutex_unlock(&driver->update)",
    "return true"
  ],
  actions: [lock2, setSeq2, (_d, t) => t.event !== null && HARMLESS.includes(t.event) ? goto(3) : zap(t), unlock2, returnTrue2]
};

// model/designs/importers/index.ts
var all = [
  stopAndUnmap,
  recordOnly,
  wholeRangeOnly,
  protectReadOnly,
  mapPath({ checkRetry: true, record: "locked" }),
  mapPath({ checkRetry: true, record: "early" }),
  mapPath({ checkRetry: true, record: "late" }),
  mapPath({ checkRetry: false, record: "early" }),
  mirrorInvalidate,
  mirrorInvalidateSkipHarmless,
  mirrorFault({ checkRetry: true }),
  mirrorFault({ checkRetry: false })
];
var byName = new Map(all.map((r) => [r.name, r]));
var recipeByName = (name) => {
  const r = byName.get(name);
  const broken = r === void 0 ? void 0 : activeVariant()?.recipes[name];
  return broken === void 0 || r === void 0 ? r : broken(r);
};

// model/dma-address.ts
var directAddress = (f) => f.pfn;
var busAddress = (s, f) => {
  const bar = s.bars[f.bar ?? -1];
  return bar === void 0 ? f.pfn : 4096 * (bar.id + 1) + (f.pfn - bar.basePfn);
};
var mapType = (s, provider, client) => {
  const t = s.topology;
  if (t === null) return s.devices[provider]?.p2pPeers.includes(client) === true ? "bus-addr" : "not-supported";
  if (provider === client) return "bus-addr";
  const [a, b] = [t.slots[provider], t.slots[client]];
  if (a === void 0 || b === void 0) return "not-supported";
  if ("switch" in a && "switch" in b && a.switch === b.switch && t.switches[a.switch]?.acsRedirect === false) return "bus-addr";
  const bridge = (x) => "switch" in x ? t.switches[x.switch]?.hostBridge : x.hostBridge;
  const allowed = (h) => h !== void 0 && t.hostBridges[h]?.allowListed === true;
  return allowed(bridge(a)) && allowed(bridge(b)) ? "thru-host-bridge" : "not-supported";
};
var p2pReachable = (s, provider, client) => mapType(s, provider, client) !== "not-supported";

// model/page.ts
var setFrame = (s, f) => ({ ...s, frames: replaceAt(s.frames, f.pfn, f) });
var isRamPage = (f) => f.bar === null;
var isP2pdmaPage = (f) => f.bar !== null && f.structPage;
var isZeroPage = (f) => f.mapping.kind === "zero";
var zeroPfn = (s) => s.frames.findIndex(isZeroPage);
var allocated = (f, mapping) => ({
  ...f,
  free: false,
  gen: f.gen + 1,
  refcount: f.structPage ? 1 : 0,
  pincount: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping,
  deviceWroteSinceDirtied: false
});
var allocFrom = (s, pool, mapping) => {
  const f = s.frames.find((x) => x.free && pool(x));
  return f === void 0 ? null : [setFrame(s, allocated(f, mapping)), f.pfn];
};
var allocRamPage = (s, mapping) => allocFrom(s, isRamPage, mapping);
var allocBarFrame = (s, bar) => allocFrom(s, (f) => f.bar === bar, { kind: "none" });
var freeFrameCount = (s, pool) => s.frames.filter((f) => f.free && pool(f)).length;
var releaseFrame = (f) => ({
  ...f,
  free: true,
  refcount: 0,
  pincount: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping: { kind: "none" },
  deviceWroteSinceDirtied: false
});
var putPage = (s, pfn) => {
  const f = s.frames[pfn];
  const refcount = f.refcount - 1;
  if (refcount > 0) return { state: setFrame(s, { ...f, refcount }), events: [] };
  return { state: setFrame(s, releaseFrame(f)), events: [{ kind: "page-freed", pfn }] };
};
var fold = (s, items, f) => items.reduce(
  (acc, a) => {
    const r = f(acc.state, a);
    return { state: r.state, events: [...acc.events, ...r.events] };
  },
  { state: s, events: [] }
);
var setVma = (s, v) => ({ ...s, vmas: put(s.vmas, v.id, v) });
var rmap = (s, pfn) => [...s.vmas.values()].flatMap(
  (v) => v.ptes.flatMap((p, index) => p !== null && p.pfn === pfn ? [{ vma: v.id, index }] : [])
);
var findVma = (s, mm, addr) => [...s.vmas.values()].find((v) => v.mm === mm && addr >= v.start && addr < v.start + v.npages);
var freshId = (s) => [{ ...s, nextId: s.nextId + 1 }, s.nextId];

// model/result.ts
import * as E from "fp-ts/lib/Either.js";
var reject = (op, reason) => E.left({ op, reason });
var illFormed = (op, reason) => reject(op, `ill-formed: ${reason}`);
var done = (state, events = []) => E.right({ state, events });
var waits = (op, reason) => E.left({ op, reason: `waits: ${reason}` });
var isWait = (r) => r.reason.startsWith("waits: ");
var isIllFormed = (r) => r.reason.startsWith("ill-formed: ");

// model/ops/invalidate.ts
var overlaps = (a0, a1, b0, b1) => a0 < b1 && b0 < a1;
var notifierHits = (n, r) => n.mm === r.mm && overlaps(n.start, n.end, r.start, r.end);
var subscribers = (s, ranges) => (
  // Stryker disable next-line ArithmeticOperator: s.notifiers only gets fresh, increasing ids (put keeps an updated key in place, drop keeps the order), so the values are already in id order and the sort changes nothing
  [...s.notifiers.values()].filter((n) => ranges.some((r) => notifierHits(n, r))).sort((a, b) => a.id - b.id)
);
var invalidating = (s, mm) => (s.mms.get(mm)?.invalidateSeq ?? 0) % 2 === 1;
var mmapWriteLocked = (s, mm) => [...s.invalidations.values()].some((i) => i.mmapLocked === mm);
var mmapWriteBusy = (s, mm) => {
  if (mmapWriteLocked(s, mm)) return `mmap_write_lock of mm ${mm} is held`;
  const readers = s.mms.get(mm)?.mmapReaders ?? 0;
  return readers > 0 ? `mmap_read_lock of mm ${mm} is held by ${readers} driver thread${readers === 1 ? "" : "s"}` : null;
};
var rangeFor = (inv, n) => {
  const hits2 = inv.ranges.filter((r) => notifierHits(n, r));
  const start = Math.max(n.start, Math.min(...hits2.map((r) => r.start)));
  const end2 = Math.min(n.end, Math.max(...hits2.map((r) => r.end)));
  return { mm: n.mm, start, end: end2 };
};
var setSeq3 = (s, mm, seq) => ({ ...s, mms: put(s.mms, mm, { ...s.mms.get(mm), invalidateSeq: seq }) });
var callNext = (s, id) => {
  let state = s;
  let inv = s.invalidations.get(id);
  const events = [];
  for (; ; ) {
    const [n, ...rest2] = inv.queue;
    if (n === void 0) return { state: { ...state, invalidations: put(state.invalidations, id, { ...inv, queue: [], running: null }) }, events };
    inv = { ...inv, queue: rest2 };
    const sub = state.notifiers.get(n);
    const recipe = sub === void 0 ? void 0 : state.devices[sub.owner]?.driver?.invalidate;
    if (sub === void 0 || recipe === void 0) continue;
    const [s1, tid] = freshId(state);
    state = {
      ...s1,
      threads: put(s1.threads, tid, {
        id: tid,
        device: sub.owner,
        recipe,
        pc: 0,
        notifier: n,
        inv: id,
        curSeq: s1.mms.get(sub.mm).invalidateSeq,
        // mn_itree_invalidate passes the whole range; the callback clamps it to its interval.
        range: rangeFor(inv, sub),
        event: inv.event,
        vma: null,
        seq: null,
        mapping: null,
        entries: null,
        retry: null,
        write: false,
        pfns: null,
        stale: null
      }),
      invalidations: put(s1.invalidations, id, { ...inv, running: tid })
    };
    events.push({ kind: "callback-invoked", inv: id, notifier: n, thread: tid });
    return { state, events };
  }
};
var invalidateThen = (s, ranges, event, mmapLocked, then, rest2) => {
  const subs = subscribers(s, ranges);
  if (subs.length === 0) return rest2(s);
  let state = s;
  for (const mm of new Set(subs.map((n) => n.mm))) {
    const seq = state.mms.get(mm).invalidateSeq;
    if (seq % 2 === 0) state = setSeq3(state, mm, seq + 1);
  }
  const [s1, id] = freshId(state);
  const inv = { id, event, ranges, mmapLocked, queue: subs.map((n) => n.id), running: null, then };
  const started = callNext({ ...s1, invalidations: put(s1.invalidations, id, inv) }, id);
  return { state: started.state, events: [{ kind: "invalidate-range-start", inv: id, event }, ...started.events] };
};
var endInvalidation = (s, id) => {
  const inv = s.invalidations.get(id);
  let state = { ...s, invalidations: drop(s.invalidations, id) };
  for (const mm of new Set(inv.ranges.map((r) => r.mm))) {
    const still = [...state.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm));
    const m = state.mms.get(mm);
    if (!still && m !== void 0 && m.invalidateSeq % 2 === 1) state = setSeq3(state, mm, m.invalidateSeq + 1);
  }
  return state;
};

// model/ops/importer.ts
var driverLock = (s, dev) => {
  if (s.devices[dev] === void 0) return illFormed("driver_lock", `no device ${dev}`);
  if (s.driverLocks.includes(dev)) return waits("driver_lock", `device ${dev}'s driver lock is held`);
  return done({ ...s, driverLocks: [...s.driverLocks, dev].sort((a, b) => a - b) });
};
var driverUnlock = (s, dev) => {
  if (s.devices[dev] === void 0) return illFormed("driver_unlock", `no device ${dev}`);
  return done({ ...s, driverLocks: s.driverLocks.filter((d) => d !== dev) });
};
var heldAddresses = (s, dev, mapping) => {
  const m = s.mappings.get(mapping);
  if (m !== void 0 && m.device === dev && m.origin.kind === "vma-op")
    return { dir: m.dir, mm: m.origin.mm, start: m.origin.start, end: m.origin.start + m.origin.npages, entries: m.entries, streaming: false };
  if (m !== void 0 && m.device === dev && m.api === "dma_map_sg" && m.origin.kind === "sgl") {
    const pages = s.sgls.get(m.origin.sgl)?.pages;
    const a = pages === null || pages === void 0 ? void 0 : s.pageArrays.get(pages);
    if (a !== void 0) return { dir: m.dir, mm: a.mm, start: a.start, end: a.start + a.pfns.length, entries: m.entries, streaming: true };
  }
  for (const t of s.threads.values()) {
    if (t.device !== dev || t.mapping !== mapping || t.entries === null) continue;
    const n = s.notifiers.get(t.notifier);
    if (n !== void 0) return { dir: t.vma?.writable === false ? "to-device" : "bidirectional", mm: n.mm, start: n.start, end: n.end, entries: t.entries, streaming: false };
  }
  return null;
};
var deviceProgram = (s, dev, mapping) => {
  const op = "device_program";
  const h = heldAddresses(s, dev, mapping);
  if (h === null) return illFormed(op, `the driver of device ${dev} holds no addresses of mapping ${mapping}`);
  const [s1, id] = freshId(s);
  const r = { id, device: dev, mapping, mm: h.mm, start: h.start, end: h.end, dir: h.dir, entries: h.entries, streaming: h.streaming };
  return done({ ...s1, deviceRanges: put(s1.deviceRanges, id, r) }, [{ kind: "device-programmed", device: dev, range: id, mapping }]);
};
var deviceStopDma = (s, dev, mm, start, npages) => {
  if (s.devices[dev] === void 0) return illFormed("device_stop_dma", `no device ${dev}`);
  let ranges = s.deviceRanges;
  const events = [];
  for (const r of s.deviceRanges.values()) {
    if (r.device !== dev || r.mm !== mm || !overlaps(r.start, r.end, start, start + npages)) continue;
    ranges = drop(ranges, r.id);
    events.push({ kind: "device-stopped", device: dev, range: r.id });
  }
  return done({ ...s, deviceRanges: ranges }, events);
};
var deviceWriteProtect = (s, dev, mm, start, npages) => {
  if (s.devices[dev] === void 0) return illFormed("device_write_protect", `no device ${dev}`);
  let ranges = s.deviceRanges;
  const events = [];
  for (const r of s.deviceRanges.values()) {
    if (r.device !== dev || r.mm !== mm || r.dir === "to-device" || !overlaps(r.start, r.end, start, start + npages)) continue;
    ranges = put(ranges, r.id, { ...r, dir: "to-device" });
    events.push({ kind: "device-write-protected", device: dev, range: r.id });
  }
  return done({ ...s, deviceRanges: ranges }, events);
};
var driverMapRange = (s, dev, notifier, write = false) => {
  const op = "driver_map_range";
  const recipe = s.devices[dev]?.driver?.mapPath;
  if (recipe === void 0) return illFormed(op, `device ${dev} has no driver map path`);
  const n = s.notifiers.get(notifier);
  if (n === void 0 || n.owner !== dev) return illFormed(op, `notifier ${notifier} is not one of device ${dev}'s`);
  const [s1, id] = freshId(s);
  const range = { mm: n.mm, start: n.start, end: n.end };
  const t = { id, device: dev, recipe, pc: 0, notifier, inv: null, curSeq: 0, range, event: null, vma: null, seq: null, mapping: null, entries: null, retry: null, write, pfns: null, stale: null };
  return done({ ...s1, threads: put(s1.threads, id, t) }, [{ kind: "thread-started", thread: id, recipe }]);
};
var driverReturn = (s, dev) => s.devices[dev] === void 0 ? illFormed("driver_return", `no device ${dev}`) : done(s);
var deviceRangeAccess = (s, mapping, index, write) => {
  const r = [...s.deviceRanges.values()].find((x) => x.mapping === mapping);
  if (r === void 0) return null;
  const op = write ? "device_write" : "device_read";
  const e = r.entries[index];
  if (e === void 0) return illFormed(op, `index ${index} is outside mapping ${mapping} (${r.entries.length} entries)`);
  if (write && r.dir === "to-device") return illFormed(op, `device ${r.device}'s page table maps mapping ${mapping} read-only: the write faults on the device`);
  if (r.streaming && !s.mappings.has(mapping) && s.devices[r.device]?.iommuMergesSg === true)
    return done(s, [{ kind: "iommu-fault", device: r.device, mapping, dma: e.dma, write }]);
  const f = s.frames[e.pfn];
  const state = write && f.structPage && !f.free && !f.dirty ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: "device-access", device: r.device, mapping, pfn: e.pfn, gen: e.gen, reached: e.reaches, write }]);
};
var driverRecord = (s, dev, mapping, by) => {
  const op = "driver_record";
  const t = by === void 0 ? void 0 : s.threads.get(by);
  if (t === void 0 || t.device !== dev || t.mapping !== mapping || t.vma === null)
    return illFormed(op, `only the driver thread of device ${dev} that got mapping ${mapping} from p2p_map records it`);
  if (s.records.some((r) => r.device === dev && r.mapping === mapping)) return illFormed(op, `device ${dev}'s driver has already recorded mapping ${mapping}`);
  const rec = { device: dev, notifier: t.notifier, mapping, vma: t.vma.vma, mm: t.range.mm, start: t.vma.start, end: t.vma.end };
  return done({ ...s, records: [...s.records, rec] }, [{ kind: "driver-recorded", device: dev, mapping }]);
};
var driverForget = (s, dev, mapping) => {
  if (!s.records.some((r) => r.device === dev && r.mapping === mapping))
    return illFormed("driver_forget", `device ${dev}'s driver has no record of mapping ${mapping}`);
  return done({ ...s, records: s.records.filter((r) => !(r.device === dev && r.mapping === mapping)) }, [{ kind: "driver-forgot", device: dev, mapping }]);
};

// model/ops/dma.ts
var right2 = (dma, f) => ({ dma, reaches: f.pfn });
var mapTable = (s, op, dev, sgl, dir, address) => {
  const d = s.devices[dev];
  if (d === void 0) return illFormed(op, `no device ${dev}`);
  const t = s.sgls.get(sgl);
  if (t === void 0) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table, not a struct scatterlist`);
  const entries = [];
  const events = [];
  for (const [i, e] of t.entries.entries()) {
    if (e.page === null) return illFormed(op, `entry ${i} of sgl ${sgl} has no page set (sg_page() is NULL: the call would oops)`);
    const f = s.frames[e.page];
    const a = address(f, i);
    if (typeof a === "string") return reject(op, a);
    entries.push({ dma: a.dma, pfn: f.pfn, gen: f.gen, reaches: a.reaches });
    if (a.bounced === true && dir !== "from-device") events.push({ kind: "cpu-access", pfn: f.pfn, via: "swiotlb_bounce", io: false });
  }
  const nents = entries.length;
  const mapped = op === "dma_map_sg" && d.iommuMergesSg && // Stryker disable next-line ConditionalExpression: a table of one entry maps one entry whether it is merged or not
  nents > 1 ? 1 : nents;
  const [s1, id] = freshId(s);
  const m = { id, device: dev, dir, api: op, origin: { kind: "sgl", sgl }, entries, nents, mapped, errorChecked: false };
  return done({ ...s1, mappings: put(s1.mappings, id, m) }, events);
};
var dmaMapSg = (s, dev, sgl, dir) => {
  const bounces = s.devices[dev]?.swiotlbForce === true;
  return mapTable(s, "dma_map_sg", dev, sgl, dir, (f, i) => {
    if (f.bar === null) return { dma: directAddress(f), reaches: f.pfn, bounced: bounces };
    const provider = s.bars[f.bar].device;
    const how = mapType(s, provider, dev);
    if (!s.era.dmaMapSgP2pdma) return { dma: directAddress(f), reaches: how === "thru-host-bridge" || bounces ? f.pfn : null, bounced: bounces };
    if (how === "not-supported") return `returns 0: entry ${i} is a P2PDMA page of device ${provider}, which device ${dev} cannot reach (pci_p2pdma_map_segment; dma_map_sgtable returns -EREMOTEIO)`;
    if (how === "bus-addr") return right2(busAddress(s, f), f);
    if (bounces) return `returns 0: entry ${i} is a P2PDMA page reached through the host bridge, and device ${dev} must bounce: dma_direct_map_page returns DMA_MAPPING_ERROR rather than bounce it (dma_map_sgtable returns -EIO)`;
    return right2(directAddress(f), f);
  });
};
var copyOut = (s, m) => s.devices[m.device]?.swiotlbForce === true && m.api === "dma_map_sg" && m.dir !== "to-device" ? m.entries.filter((e) => s.frames[e.pfn].bar === null || !s.era.dmaMapSgP2pdma).map((e) => ({ kind: "cpu-access", pfn: e.pfn, via: "swiotlb_bounce", io: false })) : [];
var undoes = (call2, api) => call2 === "pci_p2pdma_unmap_sg" ? api === "pci_p2pdma_map_sg" : api === "dma_map_sg" || api === "dma_map_page" || api === "dma_map_single";
var unmap = (s, op, mapping, dev) => {
  if (s.devices[dev] === void 0) return illFormed(op, `no device ${dev}`);
  const m = s.mappings.get(mapping);
  if (m === void 0 || m.device !== dev || !undoes(op, m.api)) return done(s);
  return done({ ...s, mappings: drop(s.mappings, mapping) }, [...copyOut(s, m), { kind: "mapping-torn-down", mapping }]);
};
var dmaUnmapSg = (s, mapping, dev) => unmap(s, "dma_unmap_sg", mapping, dev);
var dmaSyncSg = (s, op, dev, mapping) => {
  if (s.devices[dev] === void 0) return illFormed(op, `no device ${dev}`);
  const m = mapping === void 0 ? void 0 : s.mappings.get(mapping);
  return done(s, op === "dma_sync_sg_for_cpu" && m !== void 0 && m.device === dev ? copyOut(s, m) : []);
};
var deviceAccess = (s, mapping, index, write) => {
  const op = write ? "device_write" : "device_read";
  const programmed = deviceRangeAccess(s, mapping, index, write);
  if (programmed !== null) return programmed;
  const m = s.mappings.get(mapping);
  if (m?.api === "p2p_map") return illFormed(op, `device ${m.device} holds no programmed address of mapping ${mapping}`);
  if (m === void 0) return illFormed(op, `mapping ${mapping} is not live: the device has no address from it`);
  if (!write && m.dir === "from-device") return illFormed(op, `mapping ${mapping} is DMA_FROM_DEVICE; the device does not read it`);
  const e = m.entries[index];
  if (e === void 0) return illFormed(op, `index ${index} is outside mapping ${mapping} (${m.entries.length} entries)`);
  const f = e.reaches === null ? void 0 : s.frames[e.reaches];
  const marks = write && f !== void 0 && f.structPage && !f.free && !f.dirty;
  const state = marks ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: "device-access", device: m.device, mapping, pfn: e.pfn, gen: e.gen, reached: e.reaches, write }]);
};

// model/ops/dma-only-sgl.ts
import * as E4 from "fp-ts/lib/Either.js";

// model/ops/gup.ts
import * as E3 from "fp-ts/lib/Either.js";

// model/ops/fault.ts
import * as E2 from "fp-ts/lib/Either.js";
var pageLocked = (s, pfn) => {
  const i = lockedBy(s, pfn);
  if (i === void 0) return null;
  return `page ${pfn} is locked by ${i.then.kind === "page_mkclean" ? "writeback (page_mkclean)" : i.then.kind === "reclaim" ? "reclaim" : "migration"}, whose invalidation ${i.id} is in progress`;
};
var pageUnmapping = (s, pfn) => {
  const i = lockedBy(s, pfn);
  if (i === void 0 || i.then.kind === "page_mkclean" || i.running !== null || i.queue.length > 0) return null;
  return `page ${pfn} is being unmapped by ${i.then.kind === "reclaim" ? "reclaim" : "migration"} (invalidation ${i.id}): a migration or swap entry`;
};
var lockedBy = (s, pfn) => [...s.invalidations.values()].find((i) => (i.then.kind === "reclaim" || i.then.kind === "migrate_page" || i.then.kind === "page_mkclean") && i.then.pfn === pfn);
var withPte = (s, vma, index, pfn, writable) => setVma(s, { ...vma, ptes: replaceAt(vma.ptes, index, { pfn, writable }) });
var faultAnon = (s, v, index, write) => {
  const first = v.ptes[index] ?? null;
  if (first === null && !write) return E2.right({ state: withPte(s, v, index, zeroPfn(s), false), events: [] });
  const vma = v.anonVma === null ? { ...v, anonVma: v.id } : v;
  const pte = vma.ptes[index] ?? null;
  if (pte === null) {
    const got2 = allocRamPage(s, { kind: "anon" });
    if (got2 === null) return E2.left("-ENOMEM: no free RAM page (VM_FAULT_OOM)");
    const [s12, pfn] = got2;
    const f = s12.frames[pfn];
    return E2.right({ state: withPte(setFrame(s12, { ...f, mapcount: 1, dirty: write }), vma, index, pfn, true), events: [] });
  }
  if (pte.writable || !write) return E2.right({ state: s, events: [] });
  const old = s.frames[pte.pfn];
  if (isZeroPage(old)) {
    const got2 = allocRamPage(s, { kind: "anon" });
    if (got2 === null) return E2.left("-ENOMEM: no free RAM page to replace the zero page (VM_FAULT_OOM)");
    const [s12, copy2] = got2;
    return E2.right({ state: withPte(setFrame(s12, { ...s12.frames[copy2], mapcount: 1, dirty: true }), vma, index, copy2, true), events: [] });
  }
  const exclusivePinned = s.era.pinUnsharesReadOnly && old.pincount > 0 && old.mapcount === 1;
  const reuse = s.era.cowReuseOnlyUnreferenced ? old.refcount === 1 || exclusivePinned : old.mapcount === 1;
  if (reuse) return E2.right({ state: withPte(s, vma, index, pte.pfn, true), events: [] });
  const got = allocRamPage(s, { kind: "anon" });
  if (got === null) return E2.left("-ENOMEM: no free RAM page for the COW copy (VM_FAULT_OOM)");
  const [s1, copy] = got;
  const c = s1.frames[copy];
  const s2 = withPte(setFrame(s1, { ...c, mapcount: 1, dirty: true }), vma, index, copy, true);
  const o = s2.frames[pte.pfn];
  return E2.right(putPage(setFrame(s2, { ...o, mapcount: o.mapcount - 1 }), pte.pfn));
};
var faultFile = (s, vma, inodeId, index, write) => {
  const pte = vma.ptes[index] ?? null;
  if (pte !== null) {
    if (pte.writable || !write) return E2.right({ state: s, events: [] });
    const f2 = s.frames[pte.pfn];
    const s1 = setFrame(s, { ...f2, fsPrivate: true, dirty: true, deviceWroteSinceDirtied: false });
    return E2.right({ state: withPte(s1, vma, index, pte.pfn, true), events: [{ kind: "page-dirtied", pfn: pte.pfn }] });
  }
  const inode = s.inodes[inodeId];
  if (index >= inode.npages) return E2.left(`SIGBUS: page ${vma.start + index} of vma ${vma.id} is past the end of inode ${inodeId} (${inode.npages} pages)`);
  let state = s;
  let pfn = inode.cache[index] ?? null;
  if (pfn === null) {
    const got = allocRamPage(s, { kind: "file", inode: inodeId, index });
    if (got === null) return E2.left("-ENOMEM: no free RAM page for the page cache");
    [state, pfn] = got;
    state = { ...state, inodes: replaceAt(state.inodes, inodeId, { ...inode, cache: replaceAt(inode.cache, index, pfn) }) };
  }
  const f = state.frames[pfn];
  const mapped = { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 };
  const dirtied = write ? { ...mapped, fsPrivate: true, dirty: true, deviceWroteSinceDirtied: false } : mapped;
  return E2.right({
    state: withPte(setFrame(state, dirtied), vma, index, pfn, write),
    events: write ? [{ kind: "page-dirtied", pfn }] : []
  });
};
var faultIn = (s, vma, index, write) => {
  const pte = vma.ptes[index] ?? null;
  const cached = pte === null && vma.backing.kind === "file" ? s.inodes[vma.backing.inode]?.cache[index] ?? null : null;
  const page = pte?.pfn ?? cached;
  const faults = pte === null || write && !pte.writable;
  const locked = page === null || !faults ? null : pageLocked(s, page);
  if (locked !== null) return E2.left(`waits: ${locked}`);
  switch (vma.backing.kind) {
    case "anon":
      return faultAnon(s, vma, index, write);
    case "file":
      return faultFile(s, vma, vma.backing.inode, index, write);
    case "bar":
    case "p2pmem":
      return (vma.ptes[index] ?? null) === null ? E2.left(`SIGBUS: vma ${vma.id} maps device memory whose PTEs were zapped`) : E2.right({ state: s, events: [] });
  }
};

// model/ops/gup.ts
var gup = (s, kind, mm, start, npages, flags) => {
  if (s.mms.get(mm)?.alive !== true) return E3.left(`-EFAULT: mm ${mm} has exited (it has no VMAs)`);
  if (!Number.isInteger(npages) || npages < 1) return E3.left(`returns 0: npages ${npages} asks for nothing`);
  if (flags.p2pdma && flags.longterm && // Stryker disable next-line ConditionalExpression: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get')
  kind === "pin")
    return E3.left("-EINVAL: FOLL_PCI_P2PDMA cannot be combined with FOLL_LONGTERM");
  const refused = (v, addr) => {
    if (v === void 0) return `-EFAULT: no vma of mm ${mm} covers page ${addr}`;
    if (v.backing.kind === "bar") return `-EFAULT: vma ${v.id} is VM_IO|VM_PFNMAP (no struct page)`;
    if (flags.write && !v.writable) return `-EFAULT: FOLL_WRITE on vma ${v.id}, which has no VM_WRITE`;
    if (v.backing.kind === "p2pmem" && s.era.p2pGupGate && (!flags.p2pdma || // Stryker disable next-line ConditionalExpression,StringLiteral: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get'), so !flags.p2pdma already refuses it
    kind === "get"))
      return `-EREMOTEIO: vma ${v.id} holds PCI P2PDMA pages and FOLL_PCI_P2PDMA was not passed`;
    if (flags.longterm && flags.write && v.backing.kind === "file" && s.era.longtermFileGate && // Stryker disable next-line ConditionalExpression: get_user_pages passes neither FOLL_PCI_P2PDMA nor FOLL_LONGTERM (getUserPages is the only caller with kind 'get')
    kind === "pin")
      return `-EFAULT: FOLL_LONGTERM|FOLL_WRITE on vma ${v.id}, a file mapping that needs dirty tracking`;
    return null;
  };
  let state = s;
  const pfns = [];
  const vmas = [];
  const events = [];
  for (let i = 0; i < npages; i++) {
    const addr = start + i;
    const v = findVma(state, mm, addr);
    const no = refused(v, addr);
    if (no !== null) {
      if (i === 0) return E3.left(no);
      break;
    }
    const index = addr - v.start;
    const r = faultForGup(state, v, index, kind, flags);
    if (E3.isLeft(r)) {
      if (i === 0 || r.left.startsWith("waits: ")) return E3.left(r.left.startsWith("SIGBUS: ") ? `-EFAULT: ${r.left.slice("SIGBUS: ".length)}` : r.left);
      break;
    }
    events.push(...r.right.events);
    const pfn = r.right.state.vmas.get(v.id).ptes[index].pfn;
    const f = r.right.state.frames[pfn];
    state = kind === "pin" && isZeroPage(f) && s.era.pinSkipsZeroPage ? r.right.state : setFrame(r.right.state, { ...f, refcount: f.refcount + 1, pincount: f.pincount + (kind === "pin" ? 1 : 0) });
    pfns.push(pfn);
    vmas.push(v.id);
  }
  if (kind === "pin") state = { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm), hasPinned: true }) };
  const [s1, id] = freshId(state);
  const arr = { id, kind, mm, vma: vmas[0], vmas, start, pfns, write: flags.write, longterm: flags.longterm };
  return E3.right({ state: { ...s1, pageArrays: put(s1.pageArrays, id, arr) }, pages: id, events });
};
var faultForGup = (s, v, index, kind, flags) => {
  if (flags.write || v.backing.kind !== "anon") return faultIn(s, v, index, flags.write);
  const r = faultIn(s, v, index, false);
  if (E3.isLeft(r)) return r;
  const vma = r.right.state.vmas.get(v.id);
  const pte = vma.ptes[index];
  const zero = isZeroPage(r.right.state.frames[pte.pfn]);
  const unshare = kind === "pin" && !pte.writable && (zero ? flags.longterm && s.era.longtermUnsharesCow : s.era.pinUnsharesReadOnly);
  if (!unshare) return r;
  const u = faultIn(r.right.state, vma, index, true);
  if (E3.isLeft(u)) return u;
  const ro = readOnly(u.right, v.id, index);
  return E3.right({ state: ro.state, events: [...r.right.events, ...ro.events] });
};
var readOnly = (c, vma, index) => {
  const v = c.state.vmas.get(vma);
  const pte = v.ptes[index];
  return { state: setVma(c.state, { ...v, ptes: replaceAt(v.ptes, index, { ...pte, writable: false }) }), events: c.events };
};
var getUserPages = (s, mm, start, npages, write) => {
  const r = gup(s, "get", mm, start, npages, { write, longterm: false, p2pdma: false });
  return E3.isLeft(r) ? reject("get_user_pages", r.left) : done(r.right.state, r.right.events);
};
var pinUserPages = (s, mm, start, npages, flags) => {
  const r = gup(s, "pin", mm, start, npages, flags);
  return E3.isLeft(r) ? reject("pin_user_pages", r.left) : done(r.right.state, r.right.events);
};
var dirtyPage = (s, pfn) => {
  const f = s.frames[pfn];
  if (f.dirty) return { state: setFrame(s, { ...f, deviceWroteSinceDirtied: false }), events: [] };
  return { state: setFrame(s, { ...f, dirty: true, deviceWroteSinceDirtied: false }), events: [{ kind: "page-dirtied", pfn }] };
};
var privateOwner = (s, pages) => [...s.sgls.values()].find((t) => t.dmaOnly && t.pages === pages)?.id;
var held = (s, op, pages, kind) => {
  const a = s.pageArrays.get(pages);
  if (a === void 0) return `ill-formed: pages ${pages} are not held (a second release is not modelled)`;
  const owner = privateOwner(s, pages);
  if (owner !== void 0) return `ill-formed: pages ${pages} belong to DMA-only table ${owner}; the caller has no pointer to them`;
  if (a.kind === "pin" && kind === "get") return `ill-formed: pages ${pages} were pinned with FOLL_PIN; put_page would unbalance the pin count (not modelled)`;
  if (a.kind !== kind) return `ill-formed: pages ${pages} came from get_user_pages (FOLL_GET); ${op} would unbalance the pin count (not modelled)`;
  return a;
};
var release = (s, a, dirty) => {
  let state = s;
  const events = [];
  for (const pfn of a.pfns) {
    if (dirty) {
      const d = dirtyPage(state, pfn);
      state = d.state;
      events.push(...d.events);
    }
    const f = state.frames[pfn];
    events.push({
      kind: "reference-dropped",
      pfn,
      pages: a.id,
      pin: a.kind === "pin",
      write: a.write,
      undirtiedDeviceData: f.deviceWroteSinceDirtied
    });
    if (a.kind === "pin" && isZeroPage(f) && state.era.pinSkipsZeroPage) continue;
    if (a.kind === "pin") state = setFrame(state, { ...f, pincount: f.pincount - 1 });
    const p = putPage(state, pfn);
    state = p.state;
    events.push(...p.events);
  }
  return done({ ...state, pageArrays: drop(state.pageArrays, a.id) }, events);
};
var putPages = (s, pages) => {
  const a = held(
    s,
    // Stryker disable next-line StringLiteral: held() names the op only for a FOLL_PIN call on FOLL_GET pages; put_page is refused earlier with its own text
    "put_page",
    pages,
    "get"
  );
  return typeof a === "string" ? reject("put_page", a) : release(s, a, false);
};
var unpinUserPages = (s, pages) => {
  const a = held(s, "unpin_user_pages", pages, "pin");
  return typeof a === "string" ? reject("unpin_user_pages", a) : release(s, a, false);
};
var unpinUserPagesDirtyLock = (s, pages, makeDirty) => {
  const a = held(s, "unpin_user_pages_dirty_lock", pages, "pin");
  return typeof a === "string" ? reject("unpin_user_pages_dirty_lock", a) : release(s, a, makeDirty);
};
var releasePrivatePins = (s, pages, makeDirty) => {
  const a = s.pageArrays.get(pages);
  return a === void 0 ? illFormed("sgl_dma_unmap", `pages ${pages} are not held`) : release(s, a, makeDirty);
};
var setPageDirtyLock = (s, pages) => {
  const a = s.pageArrays.get(pages);
  if (a === void 0) return illFormed("set_page_dirty_lock", `pages ${pages} are not held (the reference was already dropped)`);
  const owner = privateOwner(s, pages);
  if (owner !== void 0) return illFormed("set_page_dirty_lock", `pages ${pages} belong to DMA-only table ${owner}; the caller has no pointer to them`);
  let state = s;
  const events = [];
  for (const pfn of a.pfns) {
    const d = dirtyPage(state, pfn);
    state = d.state;
    events.push(...d.events);
  }
  return done(state, events);
};

// model/ops/p2p-vma-ops.ts
var exporterMap = (s, vma, dev, dir, api) => {
  if (vma.backing.kind !== "bar") return `ill-formed: vma ${vma.id} has no p2p_map vm_op (not an exporter's BAR mapping)`;
  const bar = s.bars[vma.backing.bar];
  if (s.devices[dev] === void 0) return `ill-formed: no device ${dev}`;
  if (!bar.alive || bar.removing) return `-ENODEV: the provider of BAR ${bar.id} was removed`;
  if (!p2pReachable(s, bar.device, dev)) return `-EREMOTEIO: device ${dev} cannot reach provider ${bar.device} peer-to-peer`;
  if (vma.ptes.some((p) => p === null)) return `-EFAULT: vma ${vma.id}'s BAR window was zapped`;
  const entries = vma.backing.window.map((pfn) => {
    const f = s.frames[pfn];
    return { dma: busAddress(s, f), pfn, gen: f.gen, reaches: pfn };
  });
  const [s1, id] = freshId(s);
  const m = {
    id,
    device: dev,
    dir,
    api,
    origin: { kind: "vma-op", vma: vma.id, mm: vma.mm, start: vma.start, npages: vma.npages },
    entries,
    nents: entries.length,
    mapped: entries.length,
    errorChecked: false
  };
  return { state: { ...s1, mappings: put(s1.mappings, id, m) }, mapping: id };
};
var p2pMap = (s, vma, dev, write) => {
  const v = s.vmas.get(vma);
  if (v === void 0) return reject("p2p_map", `-EFAULT: vma ${vma} is not mapped`);
  if (mmapWriteLocked(s, v.mm)) return waits("p2p_map", `mmap_write_lock of mm ${v.mm} is held`);
  if (write && !v.writable) return reject("p2p_map", `-EPERM: vma ${vma} has no VM_WRITE (mprotect), and the importer asked for a writable mapping`);
  const r = exporterMap(s, v, dev, write ? "bidirectional" : "to-device", "p2p_map");
  if (typeof r === "string") return reject("p2p_map", r);
  return done(r.state, [{ kind: "p2p-mapped", mapping: r.mapping, entries: r.state.mappings.get(r.mapping)?.entries ?? [] }]);
};
var p2pUnmap = (s, mapping) => {
  const op = "p2p_unmap";
  const m = s.mappings.get(mapping);
  if (m === void 0) return illFormed(op, `mapping ${mapping} is not live (already torn down)`);
  if (m.api !== "p2p_map" || // Stryker disable next-line ConditionalExpression: exporterMap, the only maker of p2p_map mappings, gives them a vma-op origin
  m.origin.kind !== "vma-op")
    return illFormed(op, `mapping ${mapping} was made by ${m.api}, not p2p_map`);
  if (!s.vmas.has(m.origin.vma)) return illFormed(op, `vma ${m.origin.vma} is not mapped: it was destroyed before p2p_unmap`);
  return done({ ...s, mappings: drop(s.mappings, mapping) }, [{ kind: "mapping-torn-down", mapping }]);
};

// model/ops/dma-only-sgl.ts
var addTable = (s, mapping, pages, nents) => {
  const [s1, id] = freshId(s);
  const entries = Array.from({ length: nents }, () => ({ page: null }));
  return { ...s1, sgls: put(s1.sgls, id, { id, entries, dmaOnly: true, pages, mapping }) };
};
var sglDmaMapUser = (s, dev, mm, start, npages, dir) => {
  const op = "sgl_dma_map_user";
  if (s.devices[dev] === void 0) return illFormed(op, `no device ${dev}`);
  if (s.mms.get(mm)?.alive !== true) return reject(op, `-EFAULT: mm ${mm} has exited (it has no VMAs)`);
  const v = findVma(s, mm, start);
  if (v === void 0 || start + npages > v.start + v.npages)
    return reject(op, `-EFAULT: pages [${start}, ${start + npages}) of mm ${mm} are not inside one vma`);
  const write = dir !== "to-device";
  if (v.backing.kind === "bar") {
    if (npages !== v.npages || // Stryker disable next-line ConditionalExpression: a range inside the vma (checked above) that starts after it has fewer pages, which npages !== v.npages refuses already
    start !== v.start)
      return reject(op, `-EINVAL: the exporter maps whole windows: vma ${v.id} is [${v.start}, ${v.start + v.npages})`);
    const r = exporterMap(s, v, dev, dir, "sgl_dma_map_user");
    if (typeof r === "string") return reject(op, r);
    return done(addTable(r.state, r.mapping, null, v.npages));
  }
  const pinned = gup(s, "pin", mm, start, npages, { write, longterm: false, p2pdma: true });
  if (E4.isLeft(pinned)) return reject(op, pinned.left);
  const { state, pages, events } = pinned.right;
  const entries = state.pageArrays.get(pages).pfns.map((pfn) => {
    const f = state.frames[pfn];
    return { dma: f.bar === null ? directAddress(f) : busAddress(state, f), pfn, gen: f.gen, reaches: pfn };
  });
  for (const e of entries) {
    const bar = state.frames[e.pfn].bar;
    if (bar !== null && !p2pReachable(state, state.bars[bar].device, dev))
      return reject(op, `-EREMOTEIO: device ${dev} cannot reach provider ${state.bars[bar].device} peer-to-peer`);
  }
  const [s1, id] = freshId(state);
  const table = s1.nextId;
  const m = { id, device: dev, dir, api: "sgl_dma_map_user", origin: { kind: "sgl", sgl: table }, entries, nents: entries.length, mapped: entries.length, errorChecked: false };
  return done(addTable({ ...s1, mappings: put(s1.mappings, id, m) }, id, pages, npages), events);
};
var sglDmaUnmap = (s, sgl) => {
  const op = "sgl_dma_unmap";
  const t = s.sgls.get(sgl);
  if (t === void 0) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (
    // Stryker disable next-line LogicalOperator: an ordinary table always has mapping null and a DMA-only one never (it is born mapped), so || and && agree
    !t.dmaOnly || // Stryker disable next-line ConditionalExpression: a DMA-only table is born mapped: its mapping is never null
    t.mapping === null
  )
    return illFormed(op, `sgl ${sgl} is not a DMA-only table`);
  const events = [];
  let state = { ...s, sgls: drop(s.sgls, sgl) };
  if (state.mappings.has(t.mapping)) {
    state = { ...state, mappings: drop(state.mappings, t.mapping) };
    events.push({ kind: "mapping-torn-down", mapping: t.mapping });
  }
  if (t.pages === null) return done(state, events);
  const a = state.pageArrays.get(t.pages);
  if (a === void 0) return illFormed(op, `the pages of sgl ${sgl} are gone`);
  const r = releasePrivatePins(state, t.pages, a.write);
  return E4.isLeft(r) ? r : done(r.right.state, [...events, ...r.right.events]);
};

// model/ops/memory.ts
var lruPage = (s, pfn) => {
  const f = s.frames[pfn];
  if (f === void 0) return { reason: `ill-formed: no page ${pfn}` };
  if (f.bar !== null) return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is device memory, never on an LRU list` };
  if (f.free) return { reason: `returns 0: get_page_unless_zero: page ${pfn} is free` };
  if (f.mapping.kind === "none" || f.mapping.kind === "kernel") return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is a kernel allocation, not on an LRU list` };
  if (f.mapping.kind === "zero") return { reason: `-EBUSY: isolate_lru_page: page ${pfn} is the shared zero page, on no LRU list` };
  return { frame: f };
};
var pageCachePage = (s, pfn) => {
  const f = s.frames[pfn];
  if (f === void 0) return { reason: `ill-formed: no page ${pfn}` };
  if (f.bar !== null) return { reason: `ill-formed: page ${pfn} is device memory, in no page cache` };
  if (f.free) return { reason: `ill-formed: page ${pfn} is free, in no page cache` };
  if (f.mapping.kind === "anon") return { reason: `ill-formed: page ${pfn} is anonymous: it has no file to write back to (swap-out is not modelled)` };
  if (f.mapping.kind === "zero") return { reason: `ill-formed: page ${pfn} is the shared zero page, in no page cache` };
  if (f.mapping.kind !== "file") return { reason: `ill-formed: page ${pfn} is a kernel allocation, in no page cache` };
  return { frame: f };
};
var retarget = (s, pfn, to3) => {
  let state = s;
  for (const { vma, index } of rmap(s, pfn)) {
    const v = state.vmas.get(vma);
    const old = v.ptes[index];
    state = setVma(state, { ...v, ptes: replaceAt(v.ptes, index, to3 === null ? null : { ...old, pfn: to3 }) });
  }
  return { state, events: [] };
};
var rmapRanges = (s, pfn) => rmap(s, pfn).map(({ vma, index }) => {
  const v = s.vmas.get(vma);
  return { mm: v.mm, start: v.start + index, end: v.start + index + 1 };
});
var unchanged = (s) => ({ state: s, events: [] });
var isolated = (s, pfn) => {
  const locked = pageLocked(s, pfn);
  if (locked === null) return null;
  return `-EBUSY: isolate_lru_page: ${locked}`;
};
var reclaim = (s, pfn) => {
  const op = "reclaim";
  const l = lruPage(s, pfn);
  if (!("frame" in l)) return reject(op, l.reason);
  const busy = isolated(s, pfn);
  if (busy !== null) return reject(op, busy);
  const f = l.frame;
  if (f.mapping.kind === "anon" && f.refcount !== f.mapcount)
    return illFormed(op, `page ${pfn} has ${f.refcount} references but ${f.mapcount} mappings: the swap cache that would keep it is not modelled (__remove_mapping would fail)`);
  if (f.mapping.kind !== "anon" && f.dirty) return illFormed(op, `page ${pfn} is dirty: reclaim of a dirty page (unmapped, then kept for pageout()) is not modelled; write it back first`);
  const r = invalidateThen(s, rmapRanges(s, pfn), "MMU_NOTIFY_CLEAR", null, { kind: "reclaim", pfn }, (st) => reclaimRest(st, pfn));
  return done(r.state, r.events);
};
var reclaimRest = (s, pfn) => {
  const l = lruPage(s, pfn);
  if (!("frame" in l)) return unchanged(s);
  const f = l.frame;
  if (f.mapping.kind === "anon") {
    if (f.refcount !== f.mapcount) return unchanged(s);
    const un2 = retarget(s, pfn, null);
    return { state: setFrame(un2.state, releaseFrame(un2.state.frames[pfn])), events: [{ kind: "page-freed", pfn }] };
  }
  if (f.dirty) return unchanged(s);
  const un = retarget(s, pfn, null);
  const events = [];
  const unmapped = { ...f, mapcount: 0, refcount: f.refcount - f.mapcount };
  if (s.era.reclaimKeepsPinnedPrivate && f.pincount > 0) return { state: setFrame(un.state, unmapped), events };
  if (f.fsPrivate) events.push({ kind: "buffers-released", pfn });
  const released = { ...unmapped, fsPrivate: false };
  if (released.refcount !== 1 || f.mapping.kind !== "file") return { state: setFrame(un.state, released), events };
  const { inode, index } = f.mapping;
  const ino = un.state.inodes[inode];
  const state = { ...setFrame(un.state, releaseFrame(released)), inodes: replaceAt(un.state.inodes, inode, { ...ino, cache: replaceAt(ino.cache, index, null) }) };
  return { state, events: [...events, { kind: "page-freed", pfn }] };
};
var migratePage = (s, pfn) => {
  const op = "migrate_page";
  const l = lruPage(s, pfn);
  if (!("frame" in l)) return reject(op, l.reason);
  const busy = isolated(s, pfn);
  if (busy !== null) return reject(op, busy);
  const f = l.frame;
  if (!s.frames.some((x) => x.free && x.bar === null)) return reject(op, "-ENOMEM: migrate_pages: no free RAM page to migrate to");
  const expected = f.mapcount + (f.mapping.kind === "file" ? 1 : 0);
  if (f.refcount !== expected)
    return reject(op, `-EAGAIN: folio_migrate_mapping: page ${pfn} has ${f.refcount} references, migration expects ${expected} (GUP reference or pin held)`);
  const r = invalidateThen(s, rmapRanges(s, pfn), "MMU_NOTIFY_CLEAR", null, { kind: "migrate_page", pfn }, (st) => migrateRest(st, pfn));
  return done(r.state, r.events);
};
var migrateRest = (s, pfn) => {
  const l = lruPage(s, pfn);
  if (!("frame" in l)) return unchanged(s);
  const f = l.frame;
  if (f.refcount !== f.mapcount + (f.mapping.kind === "file" ? 1 : 0)) return unchanged(s);
  const got = allocRamPage(s, f.mapping);
  if (got === null) return unchanged(s);
  const [s1, to3] = got;
  const target = s1.frames[to3];
  let state = setFrame(s1, { ...target, refcount: f.refcount, mapcount: f.mapcount, dirty: f.dirty, fsPrivate: f.fsPrivate, deviceWroteSinceDirtied: f.deviceWroteSinceDirtied });
  const moved = retarget(state, pfn, to3);
  state = setFrame(moved.state, releaseFrame(moved.state.frames[pfn]));
  if (f.mapping.kind === "file") {
    const { inode, index } = f.mapping;
    const ino = state.inodes[inode];
    state = { ...state, inodes: replaceAt(state.inodes, inode, { ...ino, cache: replaceAt(ino.cache, index, to3) }) };
  }
  return { state, events: [{ kind: "page-freed", pfn }] };
};
var writeback = (s, pfn) => {
  const op = "writeback";
  const l = pageCachePage(s, pfn);
  if (!("frame" in l)) return reject(op, l.reason);
  const locked = pageLocked(s, pfn);
  if (locked !== null) return waits(op, locked);
  if (!l.frame.dirty) return reject(op, `returns false: folio_clear_dirty_for_io: page ${pfn} is clean`);
  const r = invalidateThen(s, rmapRanges(s, pfn), "MMU_NOTIFY_PROTECTION_PAGE", null, { kind: "page_mkclean", pfn }, (st) => pageMkcleanRest(st, pfn));
  return done(r.state, r.events);
};
var pageMkcleanRest = (s, pfn) => {
  const f = s.frames[pfn];
  if (f.free || !f.dirty) return unchanged(s);
  let state = setFrame(s, { ...f, dirty: false });
  for (const { vma, index } of rmap(s, pfn)) {
    const v = state.vmas.get(vma);
    state = setVma(state, { ...v, ptes: replaceAt(v.ptes, index, { pfn, writable: false }) });
  }
  return { state, events: [] };
};

// model/ops/mm.ts
import * as E5 from "fp-ts/lib/Either.js";

// model/ops/vma-split.ts
var sliceBacking = (b, from, to3) => b.kind === "bar" ? { ...b, window: b.window.slice(from, to3) } : b;
var part = (v, id, from, to3) => ({
  ...v,
  id,
  start: v.start + from,
  npages: to3 - from,
  backing: sliceBacking(v.backing, from, to3),
  ptes: v.ptes.slice(from, to3)
});
var splitVma = (s, v, at, newBelow) => {
  const [s1, id] = freshId(s);
  const cut = at - v.start;
  const lower = part(v, newBelow ? id : v.id, 0, cut);
  const upper = part(v, newBelow ? v.id : id, cut, v.npages);
  return [setVma(setVma(s1, lower), upper), id];
};
var vmasIn = (s, mm, start, end2) => [...s.vmas.values()].filter((v) => v.mm === mm && v.start < end2 && start < v.start + v.npages).sort((a, b) => a.start - b.start);
var isolate = (s, mm, start, end2) => {
  let state = s;
  const first = vmasIn(state, mm, start, end2)[0];
  if (first !== void 0 && first.start < start) [state] = splitVma(state, first, start, false);
  const last = vmasIn(state, mm, start, end2).at(-1);
  if (last !== void 0 && end2 < last.start + last.npages) [state] = splitVma(state, last, end2, true);
  return [state, vmasIn(state, mm, start, end2).map((v) => v.id)];
};
var mergeable = (a, b) => a.mm === b.mm && a.start + a.npages === b.start && a.backing.kind === "anon" && b.backing.kind === "anon" && a.writable === b.writable && a.dontcopy === b.dontcopy && (a.anonVma === null || b.anonVma === null || a.anonVma === b.anonVma);
var mergeAround = (s, mm, start, end2) => {
  let state = s;
  for (; ; ) {
    const vs = vmasIn(state, mm, start - 1, end2 + 1);
    const i = vs.findIndex((v, j) => vs[j + 1] !== void 0 && mergeable(v, vs[j + 1]));
    if (i < 0) return state;
    const a = vs[i];
    const b = vs[i + 1];
    const merged = { ...a, npages: a.npages + b.npages, ptes: [...a.ptes, ...b.ptes], anonVma: a.anonVma ?? b.anonVma };
    state = setVma({ ...state, vmas: drop(state.vmas, b.id) }, merged);
  }
};

// model/ops/vma-teardown.ts
var zapPtes = (s, vma) => {
  const present = vma.ptes.flatMap((p) => p === null ? [] : [p.pfn]);
  const cleared = setVma(s, { ...vma, ptes: vma.ptes.map(() => null) });
  return fold(cleared, present, (st, pfn) => {
    const f = st.frames[pfn];
    if (!f.structPage || isZeroPage(f)) return { state: st, events: [] };
    return putPage(setFrame(st, { ...f, mapcount: f.mapcount - 1 }), pfn);
  });
};
var destroyVma = (s, vma) => {
  const zap2 = zapPtes(s, vma);
  let state = zap2.state;
  const window = vma.backing.kind === "bar" ? vma.backing.window : [];
  const mappedElsewhere = (pfn) => [...state.vmas.values()].some((w) => w.id !== vma.id && w.backing.kind === "bar" && w.backing.window.includes(pfn));
  for (const pfn of window) if (!mappedElsewhere(pfn)) state = setFrame(state, releaseFrame(state.frames[pfn]));
  state = { ...state, vmas: drop(state.vmas, vma.id) };
  return { state, events: [...zap2.events, { kind: "vma-destroyed", vma: vma.id, mm: vma.mm, start: vma.start, end: vma.start + vma.npages }] };
};

// model/ops/mm-users.ts
var withMm = (s, mm, f) => {
  const m = s.mms.get(mm);
  return { ...s, mms: put(s.mms, mm, { ...m, ...f(m) }) };
};
var dropMmUser = (s, mm) => {
  const m = s.mms.get(mm);
  const state = withMm(s, mm, () => ({ users: m.users - 1 }));
  if (m.users > 1) return { state, events: [{ kind: "mm-users", mm, users: m.users - 1 }] };
  return invalidateThen(state, [{ mm, start: 0, end: Number.MAX_SAFE_INTEGER }], "MMU_NOTIFY_RELEASE", mm, { kind: "exit_mmap", mm }, (st) => exitRest(st, mm));
};
var mmgetNotZero = (s, mm) => {
  const op = "mmget_not_zero";
  const m = s.mms.get(mm);
  if (m === void 0) return illFormed(op, `no mm ${mm}`);
  if (m.users === 0) return reject(op, `returns false: mm_users of mm ${mm} is 0 (the process exited)`);
  return done(withMm(s, mm, () => ({ users: m.users + 1 })), [{ kind: "mm-users", mm, users: m.users + 1 }]);
};
var mmput = (s, mm) => {
  const m = s.mms.get(mm);
  if (m === void 0) return illFormed("mmput", `no mm ${mm}`);
  if (m.users === 0) return illFormed("mmput", `mm_users of mm ${mm} is 0: no reference to drop`);
  const r = dropMmUser(s, mm);
  return done(r.state, r.events);
};
var mmapReadLock = (s, mm) => {
  const op = "mmap_read_lock";
  const m = s.mms.get(mm);
  if (m === void 0) return illFormed(op, `no mm ${mm}`);
  if (m.users === 0) return illFormed(op, `mm ${mm} has no users: the model takes mmap_read_lock only under mmget_not_zero`);
  if (mmapWriteLocked(s, mm)) return waits(op, `mmap_write_lock of mm ${mm} is held`);
  return done(withMm(s, mm, () => ({ mmapReaders: m.mmapReaders + 1 })));
};
var mmapReadUnlock = (s, mm) => {
  const m = s.mms.get(mm);
  if (m === void 0) return illFormed("mmap_read_unlock", `no mm ${mm}`);
  if (m.mmapReaders === 0) return illFormed("mmap_read_unlock", `nobody holds mmap_read_lock of mm ${mm}`);
  return done(withMm(s, mm, () => ({ mmapReaders: m.mmapReaders - 1 })));
};
var findVmaOp = (s, mm, addr) => {
  if (!s.mms.has(mm)) return illFormed("find_vma", `no mm ${mm}`);
  const v = findVma(s, mm, addr);
  if (v === void 0) return reject("find_vma", `returns NULL: no vma of mm ${mm} covers page ${addr}`);
  return done(s, [{ kind: "vma-found", mm, addr, vma: { vma: v.id, start: v.start, end: v.start + v.npages, p2pMap: v.backing.kind === "bar", writable: v.writable } }]);
};

// model/ops/mm.ts
var MAX_VMA_PAGES = 1024;
var unmappedArea = (s, mm, npages) => {
  const vmas = [...s.vmas.values()].filter((v) => v.mm === mm).sort((a, b) => a.start - b.start);
  let addr = 0;
  for (const v of vmas) {
    if (addr + npages <= v.start) return addr;
    addr = Math.max(addr, v.start + v.npages);
  }
  return addr;
};
var mmap = (s, mm, npages, backing) => {
  const op = "mmap";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  if (!Number.isInteger(npages) || npages < 1) return reject(op, `-EINVAL: do_mmap: len is 0`);
  if (npages > MAX_VMA_PAGES) return illFormed(op, `npages ${npages} is over the model's limit of ${MAX_VMA_PAGES} pages per VMA`);
  let state = s;
  let vb;
  let ptes = Array.from({ length: npages }, () => null);
  if (backing.kind === "anon") vb = backing;
  else if (backing.kind === "file") {
    const inode = s.inodes[backing.inode];
    if (inode === void 0) return illFormed(op, `no inode ${backing.inode}`);
    vb = backing;
  } else {
    const bar = s.bars[backing.bar];
    if (bar === void 0) return illFormed(op, `no BAR ${backing.bar}`);
    if (backing.kind === "bar" && bar.structPages) return illFormed(op, `BAR ${bar.id} is a P2PDMA provider; the model maps it only through p2pmem`);
    if (backing.kind === "p2pmem" && !bar.structPages) return illFormed(op, `BAR ${bar.id} has no ZONE_DEVICE pages, so no p2pmem/allocate file to mmap`);
    if (!bar.alive || bar.removing) return reject(op, `-ENODEV: ->mmap: the provider of BAR ${bar.id} was removed`);
    if (freeFrameCount(s, (f) => f.bar === bar.id) < npages) return reject(op, `-ENOMEM: ->mmap: BAR ${bar.id} has fewer than ${npages} free pages`);
    const window = [];
    for (let i = 0; i < npages; i++) {
      const [s1, pfn] = allocBarFrame(state, bar.id);
      state = s1;
      window.push(pfn);
      if (backing.kind === "p2pmem") {
        const f = state.frames[pfn];
        state = setFrame(state, { ...f, mapcount: 1, refcount: 1 });
      }
    }
    vb = backing.kind === "bar" ? { kind: "bar", bar: bar.id, window } : backing;
    ptes = window.map((pfn) => ({ pfn, writable: true }));
  }
  const [s2, id] = freshId(state);
  const vma = {
    id,
    mm,
    start: unmappedArea(s, mm, npages),
    npages,
    backing: vb,
    shared: backing.kind !== "anon",
    dontcopy: false,
    writable: true,
    anonVma: null,
    ptes
  };
  return done(setVma(s2, vma));
};
var munmap = (s, mm, start, npages) => {
  const op = "munmap";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  if (npages < 1) return reject(op, "-EINVAL: do_munmap: len is 0");
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const r = unmapRange(s, mm, start, start + npages);
  return done(r.state, r.events);
};
var unmapRange = (s, mm, start, end2) => {
  if (vmasIn(s, mm, start, end2).length === 0) return { state: s, events: [] };
  const [s1, ids] = isolate(s, mm, start, end2);
  return invalidateThen(s1, [{ mm, start, end: end2 }], "MMU_NOTIFY_UNMAP", mm, { kind: "munmap", vmas: ids }, (st) => munmapRest(st, ids));
};
var munmapRest = (s, vmas) => fold(s, vmas, (st, id) => {
  const v = st.vmas.get(id);
  return v === void 0 ? { state: st, events: [] } : destroyVma(st, v);
});
var exitMmap = (s, mm) => {
  const m = s.mms.get(mm);
  if (m?.alive !== true) return illFormed("exit_mmap", `mm ${mm} has already exited (or never existed): exit_mmap runs once`);
  if (mmapWriteLocked(s, mm)) return waits("exit_mmap", `mmap_write_lock of mm ${mm} is held`);
  const r = dropMmUser({ ...s, mms: put(s.mms, mm, { ...m, alive: false }) }, mm);
  return done(r.state, r.events);
};
var exitRest = (s, mm) => {
  let state = s;
  const events = [];
  for (const v of s.vmas.values()) {
    if (v.mm !== mm) continue;
    const r = destroyVma(state, state.vmas.get(v.id));
    state = r.state;
    events.push(...r.events);
  }
  return { state: { ...state, mms: put(state.mms, mm, { ...state.mms.get(mm), alive: false }) }, events };
};
var fork = (s, mm) => {
  const op = "fork";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const locked = [...s.vmas.values()].filter((v) => v.mm === mm && !v.dontcopy).flatMap((v) => v.ptes.flatMap((p) => p === null ? [] : [pageLocked(s, p.pfn)])).find((x) => x !== null);
  if (locked !== void 0 && locked !== null) return waits(op, locked);
  const copied = forkCopy(s, mm);
  if (typeof copied === "string") return reject(op, copied);
  const ranges = [...s.vmas.values()].filter((v) => v.mm === mm && !v.shared && !v.dontcopy && v.anonVma !== null).map((v) => ({ mm, start: v.start, end: v.start + v.npages }));
  const r = invalidateThen(s, ranges, "MMU_NOTIFY_PROTECTION_PAGE", mm, { kind: "fork", mm }, (st) => forkRest(st, mm));
  return done(r.state, r.events);
};
var forkRest = (s, mm) => {
  const r = forkCopy(s, mm);
  return { state: typeof r === "string" ? s : r, events: [] };
};
var forkCopy = (s, mm) => {
  const parent = s.mms.get(mm);
  const [s0, child] = freshId(s);
  let state = { ...s0, mms: put(s0.mms, child, { id: child, alive: true, hasPinned: false, invalidateSeq: 2, users: 1, mmapReaders: 0 }) };
  for (const v of s.vmas.values()) {
    if (v.mm !== mm || v.dontcopy) continue;
    const childPtes = [];
    let parentPtes = v.ptes;
    for (const [i, pte] of v.ptes.entries()) {
      if (pte === null) {
        childPtes.push(null);
        continue;
      }
      const f = state.frames[pte.pfn];
      if (!f.structPage || isZeroPage(f)) {
        childPtes.push(pte);
        continue;
      }
      if (v.shared) {
        state = setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 });
        childPtes.push(pte);
      } else if (s.era.forkEarlyCow && parent.hasPinned && f.pincount > 0) {
        const got = allocRamPage(state, { kind: "anon" });
        if (got === null) return `-ENOMEM: copy_pte_range: no free RAM page to copy pinned page ${f.pfn} early`;
        const [s1, copy] = got;
        state = setFrame(s1, { ...s1.frames[copy], mapcount: 1, dirty: true });
        childPtes.push({ pfn: copy, writable: true });
      } else {
        state = setFrame(state, { ...f, mapcount: f.mapcount + 1, refcount: f.refcount + 1 });
        childPtes.push({ pfn: pte.pfn, writable: false });
        parentPtes = parentPtes.map((p, j) => j === i && p !== null ? { ...p, writable: false } : p);
      }
    }
    state = setVma(state, { ...v, ptes: parentPtes });
    const [s3, cid] = freshId(state);
    state = setVma(s3, { ...v, id: cid, mm: child, ptes: childPtes, anonVma: v.anonVma === null ? null : cid });
  }
  return state;
};
var writeFault = (s, mm, addr, remote = false) => {
  const op = "write_fault";
  if (remote ? s.mms.get(mm) === void 0 : s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const v = findVma(s, mm, addr);
  if (v === void 0) return reject(op, `SIGSEGV: no vma of mm ${mm} covers page ${addr}`);
  if (!v.writable) return reject(op, `SIGSEGV: vma ${v.id} has no VM_WRITE (mprotect)`);
  const pte = v.ptes[addr - v.start] ?? null;
  if (pte !== null && pte.writable) return illFormed(op, `no fault: the PTE at page ${addr} is present and writable, so a store there does not fault`);
  const r = faultIn(s, v, addr - v.start, true);
  if (E5.isLeft(r)) return reject(op, r.left);
  const after = r.right.state.vmas.get(v.id)?.ptes[addr - v.start] ?? null;
  if (pte === null || after === null || after.pfn === pte.pfn) return done(r.right.state, r.right.events);
  const c = invalidateThen(s, [{ mm, start: addr, end: addr + 1 }], "MMU_NOTIFY_CLEAR", null, { kind: "wp_page_copy", mm, addr }, (st) => wpPageCopyRest(st, mm, addr));
  return done(c.state, c.events);
};
var wpPageCopyRest = (s, mm, addr) => {
  const v = findVma(s, mm, addr);
  const pte = v?.ptes[addr - v.start] ?? null;
  if (v === void 0 || pte === null || pte.writable) return { state: s, events: [] };
  const r = faultIn(s, v, addr - v.start, true);
  return E5.isLeft(r) ? { state: s, events: [] } : r.right;
};

// model/ops/continuation.ts
import { match } from "ts-pattern";

// model/ops/mprotect.ts
var coveredWithoutHole = (s, mm, start, end2) => {
  let at = start;
  for (const v of vmasIn(s, mm, start, end2)) {
    if (v.start > at) return false;
    at = v.start + v.npages;
  }
  return at >= end2;
};
var mprotect = (s, mm, start, npages, write) => {
  const op = "mprotect";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const end2 = start + npages;
  if (npages === 0) return done(s);
  if (!coveredWithoutHole(s, mm, start, end2)) return reject(op, `-ENOMEM: do_mprotect_pkey: pages [${start}, ${end2}) of mm ${mm} are not all mapped`);
  const [s1, ids] = isolate(s, mm, start, end2);
  let state = s1;
  for (const id of ids) state = setVma(state, { ...state.vmas.get(id), writable: write });
  const populated = ids.some((id) => state.vmas.get(id).ptes.some((p) => p !== null));
  const rest2 = (st) => mprotectRest(st, mm, start, end2, write);
  if (!populated) return done(rest2(state).state);
  const r = invalidateThen(state, [{ mm, start, end: end2 }], "MMU_NOTIFY_PROTECTION_VMA", mm, { kind: "mprotect", mm, start, end: end2, write }, rest2);
  return done(r.state, r.events);
};
var mprotectRest = (s, mm, start, end2, write) => {
  let state = s;
  for (const v of vmasIn(s, mm, start, end2)) {
    let ptes = v.ptes;
    for (let i = 0; i < v.npages; i++) {
      const p = ptes[i] ?? null;
      const addr = v.start + i;
      if (p === null || addr < start || addr >= end2) continue;
      const device = v.backing.kind === "bar" || v.backing.kind === "p2pmem";
      ptes = replaceAt(ptes, i, { ...p, writable: write && (p.writable || device) });
    }
    state = setVma(state, { ...v, ptes });
  }
  return { state: mergeAround(state, mm, start, end2), events: [] };
};

// model/ops/mremap.ts
var mremap = (s, mm, start, npages, newNpages, mayMove) => {
  const op = "mremap";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  if (newNpages === 0) return reject(op, "-EINVAL: mremap: new_len is 0");
  if (newNpages > MAX_VMA_PAGES) return illFormed(op, `new_npages ${newNpages} is over the model's limit of ${MAX_VMA_PAGES} pages per VMA`);
  const busy = mmapWriteBusy(s, mm);
  if (busy !== null) return waits(op, busy);
  const v = findVma(s, mm, start);
  if (v === void 0) return reject(op, `-EFAULT: vma_to_resize: no vma of mm ${mm} covers page ${start}`);
  if (npages === 0 && !v.shared) return reject(op, `-EINVAL: vma_to_resize: old_len 0 would duplicate private vma ${v.id}`);
  if (npages === 0) return illFormed(op, `old_len 0 duplicates shared vma ${v.id}, which the model does not build`);
  const end2 = start + npages;
  if (end2 > v.start + v.npages) return reject(op, `-EFAULT: vma_to_resize: pages [${start}, ${end2}) of mm ${mm} are not inside one vma`);
  if (newNpages === npages) return done(s);
  if (newNpages < npages) {
    const r2 = unmapRange(s, mm, start + newNpages, end2);
    return done(r2.state, r2.events);
  }
  if (v.backing.kind === "bar" || v.backing.kind === "p2pmem") return reject(op, `-EFAULT: vma_to_resize: vma ${v.id} is VM_PFNMAP/VM_DONTEXPAND and cannot grow`);
  const grow = newNpages - npages;
  if (end2 === v.start + v.npages && vmasIn(s, mm, end2, end2 + grow).length === 0) {
    const nulls = Array.from({ length: grow }, () => null);
    return done(mergeAround(setVma(s, { ...v, npages: v.npages + grow, ptes: [...v.ptes, ...nulls] }), mm, v.start, end2 + grow));
  }
  if (!mayMove) return reject(op, `-ENOMEM: mremap: pages after [${start}, ${end2}) are in use and MREMAP_MAYMOVE is not set`);
  const [s1, ids] = isolate(s, mm, start, end2);
  const from = s1.vmas.get(ids[0]);
  const [s2, to3] = freshId(s1);
  const moved = {
    ...from,
    id: to3,
    start: unmappedArea(s, mm, newNpages),
    npages: newNpages,
    ptes: Array.from({ length: newNpages }, () => null)
  };
  const s3 = setVma(s2, moved);
  const r = invalidateThen(s3, [{ mm, start, end: end2 }], "MMU_NOTIFY_UNMAP", mm, { kind: "mremap_move", from: from.id, to: to3 }, (st) => mremapMoveRest(st, from.id, to3));
  return done(r.state, r.events);
};
var mremapMoveRest = (s, from, to3) => {
  const f = s.vmas.get(from);
  const t = s.vmas.get(to3);
  if (f === void 0 || t === void 0) return { state: s, events: [] };
  const ptes = t.ptes.map((p, i) => f.ptes[i] ?? p);
  const state = setVma(setVma(s, { ...t, ptes }), { ...f, ptes: f.ptes.map(() => null) });
  const d = destroyVma(state, state.vmas.get(from));
  return { state: mergeAround(d.state, t.mm, t.start, t.start + t.npages), events: d.events };
};

// model/ops/p2pdma.ts
var pciAllocP2pmem = (s, barId) => {
  const op = "pci_alloc_p2pmem";
  const bar = s.bars[barId];
  if (bar === void 0) return illFormed(op, `no BAR ${barId}`);
  if (!bar.structPages) return reject(op, `returns NULL: BAR ${barId} was not registered with pci_p2pdma_add_resource`);
  if (!bar.alive || bar.removing) return reject(op, `returns NULL: percpu_ref_tryget_live failed, the provider of BAR ${barId} is being removed`);
  const got = allocBarFrame(s, barId);
  if (got === null) return reject(op, `returns NULL: the gen_pool of BAR ${barId} is empty`);
  const [s1, pfn] = got;
  return done(setFrame(s1, { ...s1.frames[pfn], mapping: { kind: "kernel" } }));
};
var pciFreeP2pmem = (s, page) => {
  const op = "pci_free_p2pmem";
  const f = s.frames[page];
  if (f === void 0 || !isP2pdmaPage(f)) return illFormed(op, `pfn ${page} is not a P2PDMA page (gen_pool_free would BUG)`);
  if (f.free || f.mapping.kind !== "kernel") return illFormed(op, `page ${page} was not allocated by pci_alloc_p2pmem (gen_pool_free would BUG)`);
  const p = putPage(setFrame(s, { ...f, mapping: { kind: "none" } }), page);
  return done(p.state, p.events);
};
var pciP2pdmaMapSg = (s, dev, sgl, dir) => mapTable(s, "pci_p2pdma_map_sg", dev, sgl, dir, (f) => {
  if (!isP2pdmaPage(f)) return { dma: directAddress(f), reaches: null };
  const reaches = p2pReachable(s, s.bars[f.bar].device, dev) ? f.pfn : null;
  return { dma: busAddress(s, f), reaches };
});
var pciP2pdmaUnmapSg = (s, mapping, dev) => unmap(s, "pci_p2pdma_unmap_sg", mapping, dev);
var pciStopAndRemoveBusDevice = (s, dev) => {
  const op = "pci_stop_and_remove_bus_device";
  if (s.devices[dev] === void 0) return illFormed(op, `no device ${dev}`);
  if (!s.bars.some((b) => b.device === dev)) return illFormed(op, `device ${dev} provides no BAR: the model removes providers only`);
  const bars = s.bars.filter((b) => b.device === dev && b.alive && !b.removing);
  if (bars.length === 0) return illFormed(op, `device ${dev} is already being removed or gone`);
  const ranges = barVmas(s, dev).map((v) => ({ mm: v.mm, start: v.start, end: v.start + v.npages }));
  const dying = { ...s, bars: s.bars.map((b) => b.device === dev && b.alive ? { ...b, removing: true } : b) };
  const r = invalidateThen(dying, ranges, "MMU_NOTIFY_CLEAR", null, { kind: "unmap_mapping_range", dev }, (st) => removeRest(st, dev));
  return done(r.state, r.events);
};
var barVmas = (s, dev) => (
  // Stryker disable next-line OptionalChaining: only a bar/p2pmem VMA reaches it, and its BAR always exists (mmap checks it, bars are never dropped)
  [...s.vmas.values()].filter((v) => (v.backing.kind === "bar" || v.backing.kind === "p2pmem") && s.bars[v.backing.bar]?.device === dev && s.bars[v.backing.bar].alive)
);
var removeRest = (s, dev) => {
  let state = s;
  const events = [];
  for (const v of barVmas(s, dev)) {
    const zap2 = zapPtes(state, state.vmas.get(v.id));
    state = zap2.state;
    events.push(...zap2.events);
  }
  let removed = false;
  for (const bar of s.bars)
    if (bar.device === dev && bar.alive && !bar.structPages) {
      state = { ...state, bars: replaceAt(state.bars, bar.id, { ...bar, alive: false }) };
      removed = true;
    }
  return { state, events: removed ? [...events, { kind: "provider-removed", device: dev }] : events };
};
var memunmapPages = (s, dev) => {
  const op = "memunmap_pages";
  const bars = s.bars.filter((b) => b.device === dev && b.alive && b.removing && b.structPages);
  if (bars.length === 0) return illFormed(op, `device ${dev} has no P2PDMA BAR being removed`);
  if ([...s.invalidations.values()].some((i) => i.then.kind === "unmap_mapping_range" && i.then.dev === dev))
    return waits(op, `unmap_mapping_range of device ${dev} has not finished`);
  const held3 = s.frames.filter((f) => f.bar !== null && bars.some((b) => b.id === f.bar) && !f.free);
  if (held3.length > 0) return waits(op, `${held3.length} P2PDMA page(s) of device ${dev} are still referenced (pfn ${held3.map((f) => f.pfn).join(", ")})`);
  let state = s;
  for (const bar of bars) state = { ...state, bars: replaceAt(state.bars, bar.id, { ...bar, alive: false }) };
  return done(state, [{ kind: "provider-removed", device: dev }]);
};

// model/ops/continuation.ts
var rest = (s, then) => match(then).with({ kind: "munmap" }, (c) => munmapRest(s, c.vmas)).with({ kind: "mprotect" }, (c) => mprotectRest(s, c.mm, c.start, c.end, c.write)).with({ kind: "mremap_move" }, (c) => mremapMoveRest(s, c.from, c.to)).with({ kind: "fork" }, (c) => forkRest(s, c.mm)).with({ kind: "page_mkclean" }, (c) => pageMkcleanRest(s, c.pfn)).with({ kind: "wp_page_copy" }, (c) => wpPageCopyRest(s, c.mm, c.addr)).with({ kind: "exit_mmap" }, (c) => exitRest(s, c.mm)).with({ kind: "unmap_mapping_range" }, (c) => removeRest(s, c.dev)).with({ kind: "reclaim" }, (c) => reclaimRest(s, c.pfn)).with(
  // Stryker disable next-line ObjectLiteral: the last pattern sees only migrate_page: every other kind matched above
  { kind: "migrate_page" },
  (c) => migrateRest(s, c.pfn)
).exhaustive();
var mmuNotifierInvalidateRangeEnd = (s, id) => {
  const op = "mmu_notifier_invalidate_range_end";
  const inv = s.invalidations.get(id);
  if (inv === void 0) return illFormed(op, `no invalidation ${id} is in progress`);
  if (inv.running !== null || // Stryker disable next-line ConditionalExpression: a queued callback starts as soon as none runs (invalidateThen and each return call callNext), so a non-empty queue means one is running
  inv.queue.length > 0)
    return waits(op, `invalidation ${id} still has callbacks to run`);
  const r = rest(s, inv.then);
  return done(endInvalidation(r.state, id), [...r.events, { kind: "invalidate-range-end", inv: id }]);
};

// model/ops/hmm.ts
import * as E6 from "fp-ts/lib/Either.js";
var failed = (s, state, events, notifier, why) => state === s ? reject("hmm_range_fault", `-EFAULT: ${why}`) : done(state, [...events, { kind: "hmm-faulted", notifier, ret: "-EFAULT", pfns: [] }]);
var hmmRangeFault = (s, notifier, seq, start, npages, write) => {
  const op = "hmm_range_fault";
  const n = s.notifiers.get(notifier);
  if (n === void 0) return illFormed(op, `notifier ${notifier} is not registered`);
  if (npages < 1 || start < n.start || start + npages > n.end)
    return illFormed(op, `pages ${start}-${start + npages - 1} are not inside notifier ${notifier}'s range ${n.start}-${n.end - 1}`);
  if (mmapWriteLocked(s, n.mm)) return waits(op, `mmap_write_lock of mm ${n.mm} is held`);
  const cow = [...s.invalidations.values()].find((i) => i.then.kind === "wp_page_copy" && i.then.mm === n.mm && i.then.addr >= start && i.then.addr < start + npages);
  if (cow !== void 0) return waits(op, `the COW break of page ${cow.then.kind === "wp_page_copy" ? cow.then.addr : start} (invalidation ${cow.id}) is in progress`);
  if (n.seq !== seq) return reject(op, `-EBUSY: mmu_interval_check_retry: an invalidation of notifier ${notifier} set seq ${n.seq} since read_begin returned ${seq}`);
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(s, n.mm, addr);
    if (v === void 0) return reject(op, `-EFAULT: no vma of mm ${n.mm} covers page ${addr} (hmm_vma_walk_hole)`);
    if (v.backing.kind === "bar" || v.backing.kind === "p2pmem")
      return reject(op, `-EFAULT: vma ${v.id} is VM_IO|VM_PFNMAP device memory, which hmm_range_fault cannot fault (hmm_vma_walk_test)`);
    const pte = v.ptes[addr - v.start] ?? null;
    const locked = pte === null ? null : pageUnmapping(s, pte.pfn);
    if (locked !== null) return waits(op, locked);
    if (write && !v.writable && (pte === null || !pte.writable))
      return reject(op, `-EPERM: a write fault on page ${addr}, but vma ${v.id} has no VM_WRITE (hmm_vma_fault)`);
  }
  let state = s;
  const events = [];
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(state, n.mm, addr);
    const pte = v.ptes[addr - v.start] ?? null;
    if (pte !== null && (pte.writable || !write)) continue;
    if (write) {
      const w = writeFault(state, n.mm, addr, true);
      if (E6.isLeft(w) && w.left.reason.startsWith("ill-formed: ")) return illFormed(op, w.left.reason.slice("ill-formed: ".length));
      if (E6.isLeft(w) && w.left.reason.startsWith("waits: ")) return state === s ? waits(op, w.left.reason.slice(7)) : done(state, [...events, { kind: "hmm-faulted", notifier, ret: "-EBUSY", pfns: [] }]);
      if (E6.isLeft(w)) return failed(s, state, events, notifier, `handle_mm_fault failed at page ${addr}: ${w.left.reason}`);
      state = w.right.state;
      events.push(...w.right.events);
      if (w.right.events.some((e) => e.kind === "invalidate-range-start"))
        return done(state, [...events, { kind: "hmm-faulted", notifier, ret: "-EBUSY", pfns: [] }]);
      continue;
    }
    const r = faultIn(state, v, addr - v.start, false);
    if (E6.isLeft(r) && r.left.startsWith("waits: ")) return state === s ? waits(op, r.left.slice(7)) : done(state, [...events, { kind: "hmm-faulted", notifier, ret: "-EBUSY", pfns: [] }]);
    if (E6.isLeft(r)) return failed(s, state, events, notifier, `handle_mm_fault failed at page ${addr}: ${r.left}`);
    state = r.right.state;
    events.push(...r.right.events);
  }
  const pfns = [];
  for (let addr = start; addr < start + npages; addr++) {
    const v = findVma(state, n.mm, addr);
    const pte = v.ptes[addr - v.start];
    pfns.push({ pfn: pte.pfn, gen: state.frames[pte.pfn].gen, write: pte.writable });
  }
  return done(state, [...events, { kind: "hmm-faulted", notifier, ret: "0", pfns }]);
};

// model/ops/mirror.ts
var deviceProgramPfns = (s, dev, by) => {
  const op = "device_program_pfns";
  const t = by === void 0 ? void 0 : s.threads.get(by);
  if (t === void 0 || t.device !== dev || t.pfns === null || t.pfns.length === 0)
    return illFormed(op, `no driver thread of device ${dev} holds pfns from hmm_range_fault`);
  const { mm, start } = t.range;
  const end2 = start + t.pfns.length;
  let ranges = s.deviceRanges;
  for (const r of s.deviceRanges.values())
    if (r.device === dev && r.mapping === null && r.mm === mm && r.start < end2 && start < r.end) ranges = drop(ranges, r.id);
  let state = { ...s, deviceRanges: ranges };
  const events = [];
  for (const [i, p] of t.pfns.entries()) {
    const [s1, id] = freshId(state);
    const r = {
      id,
      device: dev,
      mapping: null,
      mm,
      start: start + i,
      end: start + i + 1,
      dir: p.write ? "bidirectional" : "to-device",
      entries: [{ dma: p.pfn, pfn: p.pfn, gen: p.gen, reaches: p.pfn }],
      streaming: false
    };
    state = { ...s1, deviceRanges: put(s1.deviceRanges, id, r) };
    events.push({ kind: "device-programmed", device: dev, range: id, mapping: null });
  }
  return done(state, events);
};
var deviceSvmAccess = (s, dev, mm, addr, write) => {
  const op = "device_svm_access";
  const r = [...s.deviceRanges.values()].find((x) => x.device === dev && x.mapping === null && x.mm === mm && x.start <= addr && addr < x.end);
  if (r === void 0) return illFormed(op, `device ${dev}'s page table has no entry for page ${addr} of mm ${mm}: the device faults`);
  if (write && r.dir === "to-device") return illFormed(op, `device ${dev}'s page table maps page ${addr} of mm ${mm} read-only: the write faults on the device`);
  const e = r.entries[0];
  const f = s.frames[e.pfn];
  const state = write && f.structPage && !f.free && !f.dirty ? setFrame(s, { ...f, deviceWroteSinceDirtied: true }) : s;
  return done(state, [{ kind: "device-access", device: dev, mapping: null, va: { mm, addr }, pfn: e.pfn, gen: e.gen, reached: e.reaches, write }]);
};

// model/ops/notifier.ts
var mmuIntervalNotifierInsert = (s, mm, start, npages, owner) => {
  const op = "mmu_interval_notifier_insert";
  const m = s.mms.get(mm);
  if (m === void 0) return illFormed(op, `no mm ${mm}`);
  if (s.devices[owner] === void 0) return illFormed(op, `no device ${owner}`);
  if (npages < 1) return reject(op, `-EOVERFLOW: __mmu_interval_notifier_insert: length 0`);
  if (!m.alive) return reject(op, `-EINVAL: __mmu_interval_notifier_insert: mm ${mm} has exited (mm_users is 0)`);
  const active2 = [...s.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm));
  const odd = m.invalidateSeq % 2 === 1 ? m.invalidateSeq : m.invalidateSeq + 1;
  const seq = active2 ? odd : m.invalidateSeq - 1;
  const [s1, id] = freshId(active2 ? { ...s, mms: put(s.mms, mm, { ...m, invalidateSeq: odd }) } : s);
  return done({ ...s1, notifiers: put(s1.notifiers, id, { id, mm, start, end: start + npages, owner, seq }) });
};
var mmuIntervalNotifierRemove = (s, notifier) => {
  const op = "mmu_interval_notifier_remove";
  const n = s.notifiers.get(notifier);
  if (n === void 0) return illFormed(op, `notifier ${notifier} is not registered`);
  if (invalidating(s, n.mm)) return waits(op, `an invalidation of mm ${n.mm} is in progress`);
  return done({ ...s, notifiers: drop(s.notifiers, notifier) });
};
var mmuIntervalReadBegin = (s, notifier, by) => {
  const op = "mmu_interval_read_begin";
  const n = s.notifiers.get(notifier);
  if (n === void 0) return illFormed(op, `notifier ${notifier} is not registered`);
  if (n.seq === s.mms.get(n.mm).invalidateSeq) return waits(op, `notifier ${notifier} is being invalidated (seq ${n.seq})`);
  const t = by === void 0 ? void 0 : s.threads.get(by);
  const state = t === void 0 ? s : { ...s, threads: put(s.threads, t.id, { ...t, stale: false }) };
  return done(state, [{ kind: "read-begin", notifier, seq: n.seq }]);
};
var mmuIntervalReadRetry = (s, notifier, seq) => {
  const n = s.notifiers.get(notifier);
  if (n === void 0) return illFormed("mmu_interval_read_retry", `notifier ${notifier} is not registered`);
  return done(s, [{ kind: "read-retry", notifier, seq, retry: n.seq !== seq }]);
};
var mmuIntervalSetSeq = (s, notifier, seq) => {
  const n = s.notifiers.get(notifier);
  if (n === void 0) return illFormed("mmu_interval_set_seq", `notifier ${notifier} is not registered`);
  let threads = s.threads;
  for (const t of s.threads.values()) if (t.notifier === notifier && t.stale === false) threads = put(threads, t.id, { ...t, stale: true });
  return done({ ...s, notifiers: put(s.notifiers, notifier, { ...n, seq }), threads });
};
var invalidateCallbackReturn = (s, notifier, ret, by) => {
  const op = "invalidate_callback_return";
  const inv = [...s.invalidations.values()].find((i) => {
    const t2 = i.running === null ? void 0 : s.threads.get(i.running);
    return t2?.notifier === notifier && (by === void 0 || t2.id === by);
  });
  if (inv === void 0) return illFormed(op, `no invalidate callback of notifier ${notifier} is running`);
  const t = s.threads.get(inv.running);
  const n = s.notifiers.get(notifier);
  const r = rangeFor(inv, n);
  const next = callNext({ ...s, threads: drop(s.threads, t.id) }, inv.id);
  const events = [
    { kind: "callback-returned", inv: inv.id, notifier, device: t.device, mm: r.mm, start: r.start, end: r.end, ret },
    ...next.events
  ];
  return done(next.state, events);
};

// model/ops/cpu.ts
import * as E7 from "fp-ts/lib/Either.js";
var cpuAccess = (s, mm, addr, write) => {
  const op = write ? "store" : "load";
  if (s.mms.get(mm)?.alive !== true) return illFormed(op, `mm ${mm} has exited: it runs no code`);
  const v = findVma(s, mm, addr);
  if (v === void 0) return reject(op, `SIGSEGV: no vma of mm ${mm} covers page ${addr}`);
  const index = addr - v.start;
  const pte = v.ptes[index] ?? null;
  let state = s;
  const events = [];
  if (pte === null || write && !pte.writable) {
    const r = faultIn(s, v, index, write);
    if (E7.isLeft(r)) return reject(op, r.left);
    const after = r.right.state.vmas.get(v.id)?.ptes[index] ?? null;
    if (pte !== null && after !== null && after.pfn !== pte.pfn) {
      const w = writeFault(s, mm, addr);
      if (E7.isRight(w) && w.right.events.some((e) => e.kind === "invalidate-range-start")) return w;
    }
    state = r.right.state;
    events.push(...r.right.events);
  }
  const pfn = state.vmas.get(v.id).ptes[index].pfn;
  const f = state.frames[pfn];
  if (write && f.bar === null && !f.dirty) {
    state = setFrame(state, { ...f, dirty: true, deviceWroteSinceDirtied: false });
    events.push({ kind: "page-dirtied", pfn });
  }
  events.push({ kind: "cpu-access", pfn, via: op, io: f.bar !== null });
  return done(state, events);
};

// model/ops/dma-page.ts
var mapPage = (s, op, dev, page, dir) => {
  if (s.devices[dev] === void 0) return illFormed(op, `no device ${dev}`);
  const f = s.frames[page];
  if (f === void 0 || !f.structPage) return illFormed(op, `pfn ${page} has no struct page (and no kernel virtual address)`);
  if (f.bar !== null && s.era.dmaMapSgP2pdma) return reject(op, `DMA_MAPPING_ERROR: page ${page} is a PCI P2PDMA page (map it with dma_map_sg)`);
  const a = { dma: directAddress(f), reaches: f.bar === null ? f.pfn : null };
  const [s1, id] = freshId(s);
  const m = {
    id,
    device: dev,
    dir,
    api: op,
    origin: { kind: "page" },
    entries: [{ dma: a.dma, pfn: page, gen: f.gen, reaches: a.reaches }],
    nents: 1,
    mapped: 1,
    errorChecked: false
  };
  return done({ ...s1, mappings: put(s1.mappings, id, m) });
};
var dmaMapPage = (s, dev, page, dir) => mapPage(s, "dma_map_page", dev, page, dir);
var dmaMapSingle = (s, dev, page, dir) => mapPage(s, "dma_map_single", dev, page, dir);
var dmaUnmapPage = (s, mapping, dev) => unmap(s, "dma_unmap_page", mapping, dev);
var dmaUnmapSingle = (s, mapping, dev) => unmap(s, "dma_unmap_single", mapping, dev);
var dmaMappingError = (s, dev, mapping) => {
  if (s.devices[dev] === void 0) return illFormed("dma_mapping_error", `no device ${dev}`);
  const m = s.mappings.get(mapping);
  if (m === void 0 || m.device !== dev || m.errorChecked) return done(s);
  return done({ ...s, mappings: put(s.mappings, mapping, { ...m, errorChecked: true }) });
};
var deviceReleaseDriver = (s, dev) => {
  const d = s.devices[dev];
  if (d === void 0) return illFormed("device_release_driver", `no device ${dev}`);
  if (!d.bound) return done(s);
  return done({ ...s, devices: replaceAt(s.devices, dev, { ...d, bound: false }) }, [{ kind: "driver-unbound", device: dev }]);
};

// model/ops/scatterlist.ts
var MAX_SG_ENTRIES = 1024;
var addSgl = (s, make) => {
  const [s1, id] = freshId(s);
  return { ...s1, sgls: put(s1.sgls, id, make(id)) };
};
var sgAllocTable = (s, nents) => {
  if (!Number.isInteger(nents) || nents < 1) return reject("sg_alloc_table", `-EINVAL: __sg_alloc_table: nents ${nents} must be at least 1`);
  if (nents > MAX_SG_ENTRIES) return illFormed("sg_alloc_table", `nents ${nents} is over the model's limit of ${MAX_SG_ENTRIES}`);
  return done(addSgl(s, (id) => ({ id, entries: Array.from({ length: nents }, () => ({ page: null })), dmaOnly: false, pages: null, mapping: null })));
};
var sgAllocTableFromPages = (s, pages) => {
  const a = s.pageArrays.get(pages);
  if (a === void 0) return illFormed("sg_alloc_table_from_pages", `pages ${pages} are not held (the model no longer knows that array)`);
  return done(addSgl(s, (id) => ({ id, entries: a.pfns.map((page) => ({ page })), dmaOnly: false, pages, mapping: null })));
};
var sgSetPage = (s, sgl, index, page) => {
  const op = "sg_set_page";
  const t = s.sgls.get(sgl);
  if (t === void 0) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table: it has no page entries`);
  if (t.entries[index] === void 0) return illFormed(op, `index ${index} is outside sgl ${sgl} (${t.entries.length} entries)`);
  const f = s.frames[page];
  if (f === void 0 || !f.structPage) return illFormed(op, `pfn ${page} has no struct page`);
  return done({ ...s, sgls: put(s.sgls, sgl, { ...t, entries: replaceAt(t.entries, index, { page }) }) });
};
var sgFreeTable = (s, sgl) => {
  const t = s.sgls.get(sgl);
  if (t === void 0) return illFormed("sg_free_table", `sgl ${sgl} is not allocated (a second free is not modelled)`);
  if (t.dmaOnly) return illFormed("sg_free_table", `sgl ${sgl} is a DMA-only table: release it with sgl_dma_unmap`);
  return done({ ...s, sgls: drop(s.sgls, sgl) });
};
var touch = (s, op, sgl, indices) => {
  const t = s.sgls.get(sgl);
  if (t === void 0) return illFormed(op, `sgl ${sgl} is not allocated`);
  if (t.dmaOnly) return illFormed(op, `sgl ${sgl} is a DMA-only table: it has no CPU side to touch`);
  const which = indices === "all" ? t.entries.map((_, i) => i) : indices;
  const events = [];
  for (const index of which) {
    const e = t.entries[index];
    if (e === void 0) return illFormed(op, `index ${index} is outside sgl ${sgl} (${t.entries.length} entries)`);
    events.push(e.page === null ? { kind: "cpu-access-no-page", sgl, index, via: op } : { kind: "cpu-access", pfn: e.page, via: op, io: false });
  }
  return done(s, events);
};
var sgVirt = (s, sgl, index) => touch(s, "sg_virt", sgl, [index]);
var kmapLocalPage = (s, sgl, index) => touch(s, "kmap_local_page", sgl, [index]);
var sgCopyToBuffer = (s, sgl) => touch(s, "sg_copy_to_buffer", sgl, "all");
var memcpyToio = (s, page) => {
  const f = s.frames[page];
  if (f === void 0 || f.bar === null) return illFormed("memcpy_toio", `pfn ${page} is not __iomem`);
  return done(s, [{ kind: "cpu-access", pfn: page, via: "memcpy_toio", io: true }]);
};

// model/kernel-step.ts
var handlers = {
  mmap: (s, o) => mmap(s, o.mm, o.npages, o.backing),
  munmap: (s, o) => munmap(s, o.mm, o.start, o.npages),
  mprotect: (s, o) => mprotect(s, o.mm, o.start, o.npages, o.write),
  mremap: (s, o) => mremap(s, o.mm, o.start, o.npages, o.new_npages, o.may_move),
  exit_mmap: (s, o) => exitMmap(s, o.mm),
  fork: (s, o) => fork(s, o.mm),
  write_fault: (s, o) => writeFault(s, o.mm, o.addr),
  reclaim: (s, o) => reclaim(s, o.page),
  migrate_page: (s, o) => migratePage(s, o.page),
  writeback: (s, o) => writeback(s, o.page),
  get_user_pages: (s, o) => getUserPages(s, o.mm, o.start, o.npages, o.write),
  pin_user_pages: (s, o) => pinUserPages(s, o.mm, o.start, o.npages, o),
  put_page: (s, o) => putPages(s, o.pages),
  unpin_user_pages: (s, o) => unpinUserPages(s, o.pages),
  unpin_user_pages_dirty_lock: (s, o) => unpinUserPagesDirtyLock(s, o.pages, o.make_dirty),
  set_page_dirty_lock: (s, o) => setPageDirtyLock(s, o.pages),
  sg_alloc_table: (s, o) => sgAllocTable(s, o.nents),
  sg_alloc_table_from_pages: (s, o) => sgAllocTableFromPages(s, o.pages),
  sg_set_page: (s, o) => sgSetPage(s, o.sgl, o.index, o.page),
  sg_free_table: (s, o) => sgFreeTable(s, o.sgl),
  sg_virt: (s, o) => sgVirt(s, o.sgl, o.index),
  kmap_local_page: (s, o) => kmapLocalPage(s, o.sgl, o.index),
  sg_copy_to_buffer: (s, o) => sgCopyToBuffer(s, o.sgl),
  memcpy_toio: (s, o) => memcpyToio(s, o.page),
  dma_map_sg: (s, o) => dmaMapSg(s, o.dev, o.sgl, o.dir),
  dma_unmap_sg: (s, o) => dmaUnmapSg(s, o.mapping, o.dev),
  dma_sync_sg_for_cpu: (s, o) => dmaSyncSg(s, o.kind, o.dev, o.mapping),
  dma_sync_sg_for_device: (s, o) => dmaSyncSg(s, o.kind, o.dev),
  device_write: (s, o) => deviceAccess(s, o.mapping, o.index, true),
  device_read: (s, o) => deviceAccess(s, o.mapping, o.index, false),
  pci_alloc_p2pmem: (s, o) => pciAllocP2pmem(s, o.bar),
  pci_free_p2pmem: (s, o) => pciFreeP2pmem(s, o.page),
  pci_p2pdma_map_sg: (s, o) => pciP2pdmaMapSg(s, o.dev, o.sgl, o.dir),
  pci_p2pdma_unmap_sg: (s, o) => pciP2pdmaUnmapSg(s, o.mapping, o.dev),
  pci_stop_and_remove_bus_device: (s, o) => pciStopAndRemoveBusDevice(s, o.dev),
  memunmap_pages: (s, o) => memunmapPages(s, o.dev),
  mmu_interval_notifier_insert: (s, o) => mmuIntervalNotifierInsert(s, o.mm, o.start, o.npages, o.owner),
  mmu_interval_notifier_remove: (s, o) => mmuIntervalNotifierRemove(s, o.notifier),
  mmu_interval_read_begin: (s, o) => mmuIntervalReadBegin(s, o.notifier, o.by),
  mmu_interval_read_retry: (s, o) => mmuIntervalReadRetry(s, o.notifier, o.seq),
  mmu_interval_set_seq: (s, o) => mmuIntervalSetSeq(s, o.notifier, o.seq),
  invalidate_callback_return: (s, o) => invalidateCallbackReturn(s, o.notifier, o.ret, o.by),
  mmu_notifier_invalidate_range_end: (s, o) => mmuNotifierInvalidateRangeEnd(s, o.inv),
  driver_map_range: (s, o) => driverMapRange(s, o.dev, o.notifier, o.write ?? false),
  driver_lock: (s, o) => driverLock(s, o.dev),
  driver_unlock: (s, o) => driverUnlock(s, o.dev),
  device_program: (s, o) => deviceProgram(s, o.dev, o.mapping),
  device_stop_dma: (s, o) => deviceStopDma(s, o.dev, o.mm, o.start, o.npages),
  device_write_protect: (s, o) => deviceWriteProtect(s, o.dev, o.mm, o.start, o.npages),
  driver_return: (s, o) => driverReturn(s, o.dev),
  driver_record: (s, o) => driverRecord(s, o.dev, o.mapping, o.by),
  driver_forget: (s, o) => driverForget(s, o.dev, o.mapping),
  mmget_not_zero: (s, o) => mmgetNotZero(s, o.mm),
  mmput: (s, o) => mmput(s, o.mm),
  mmap_read_lock: (s, o) => mmapReadLock(s, o.mm),
  mmap_read_unlock: (s, o) => mmapReadUnlock(s, o.mm),
  find_vma: (s, o) => findVmaOp(s, o.mm, o.addr),
  hmm_range_fault: (s, o) => hmmRangeFault(s, o.notifier, o.seq, o.start, o.npages, o.write),
  device_program_pfns: (s, o) => deviceProgramPfns(s, o.dev, o.by),
  device_svm_access: (s, o) => deviceSvmAccess(s, o.dev, o.mm, o.addr, o.write),
  // single-page DMA API, dma_mapping_error, unbind; CPU access by a process
  dma_map_page: (s, o) => dmaMapPage(s, o.dev, o.page, o.dir),
  dma_unmap_page: (s, o) => dmaUnmapPage(s, o.mapping, o.dev),
  dma_map_single: (s, o) => dmaMapSingle(s, o.dev, o.page, o.dir),
  dma_unmap_single: (s, o) => dmaUnmapSingle(s, o.mapping, o.dev),
  dma_mapping_error: (s, o) => dmaMappingError(s, o.dev, o.mapping),
  device_release_driver: (s, o) => deviceReleaseDriver(s, o.dev),
  store: (s, o) => cpuAccess(s, o.mm, o.addr, true),
  load: (s, o) => cpuAccess(s, o.mm, o.addr, false),
  p2p_map: (s, o) => p2pMap(s, o.vma, o.dev, o.write),
  p2p_unmap: (s, o) => p2pUnmap(s, o.mapping),
  sgl_dma_map_user: (s, o) => sglDmaMapUser(s, o.dev, o.mm, o.start, o.npages, o.dir),
  sgl_dma_unmap: (s, o) => sglDmaUnmap(s, o.sgl)
};
var kernelStep = (s, op) => {
  const v = activeVariant();
  const wrap = v?.ops[op.kind];
  return wrap === void 0 ? handlers[op.kind](s, op) : wrap(handlers[op.kind])(s, op);
};

// model/driver-thread.ts
var MAX_JUMPS = 32;
var same = (a, b) => {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
};
var sameCall = (a, b) => {
  const keys = /* @__PURE__ */ new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete("by");
  for (const k of keys) if (!same(a[k], b[k])) return false;
  return true;
};
var nextCall = (s, tid) => {
  let t = s.threads.get(tid);
  if (t === void 0) return `no driver thread ${tid}`;
  const recipe = recipeByName(t.recipe);
  if (recipe === void 0) return `driver thread ${tid} runs unknown code '${t.recipe}'`;
  const view = driverView(s, t.device);
  for (let i = 0; i < MAX_JUMPS; i++) {
    const action = recipe.actions[t.pc];
    if (action === void 0) return `${recipe.name} has no step ${t.pc}`;
    const next = action(view, t);
    if (next.kind === "call") return { next, thread: t };
    t = { ...t, pc: next.pc };
  }
  return `${recipe.name} jumps more than ${MAX_JUMPS} times without a call`;
};
var peekThread = (s, tid) => {
  const n = nextCall(s, tid);
  return typeof n === "string" ? null : { ...n.next.op, by: tid };
};
var withThread = (s, tid, t) => ({
  ...s,
  threads: t === null ? drop(s.threads, tid) : put(s.threads, tid, t)
});
var runThreadCall = (s, op) => {
  const tid = op.by;
  const n = nextCall(s, tid);
  if (typeof n === "string") return illFormed(op.kind, n);
  const { next, thread } = n;
  if (!sameCall(next.op, op)) return illFormed(op.kind, `driver thread ${tid} (${thread.recipe}) calls ${next.op.kind} here`);
  const out = kernelStep(s, { ...next.op, by: tid });
  if (E8.isLeft(out)) {
    if (isWait(out.left) || isIllFormed(out.left) || next.onError === void 0)
      return out;
    return E8.right({ state: withThread(s, tid, next.onError(thread, out.left.reason)), events: [{ kind: "call-failed", op: op.kind, reason: out.left.reason }] });
  }
  const after = out.right.state;
  const current = after.threads.get(tid);
  if (current === void 0) return out;
  const base = { ...current, pc: thread.pc };
  const moved = next.then === void 0 ? { ...base, pc: base.pc + 1 } : next.then(base, out.right.events);
  return E8.right({ state: withThread(after, tid, moved), events: out.right.events });
};

// model/step.ts
var step = (s, op) => {
  if (op.by !== void 0) return runThreadCall(s, op);
  if (op.kind === "invalidate_callback_return") return illFormed(op.kind, "only the invalidate callback itself returns (a call with by=THREAD)");
  return kernelStep(s, op);
};

// model/designs/design.ts
var runPlan = (s, builds) => {
  const calls = [];
  const made = [];
  let cur = s;
  for (const b of builds) {
    const op = b(cur, made);
    if (op === null) return null;
    const out = step(cur, op);
    if (E9.isLeft(out)) return null;
    calls.push({ op, before: cur, step: out.right });
    made.push(cur.nextId);
    cur = out.right.state;
  }
  return calls;
};
var budgetOf = (d, runs, maxCommands) => ({
  runs: Math.max(runs, d.searchRuns ?? 0),
  maxCommands: Math.max(maxCommands, d.searchCommands ?? 0)
});
var held2 = (why) => ({ verdict: "held", why });
var violated = (why) => ({ verdict: "violated", why });
var single = (name, role, weight, f) => ({
  name,
  role,
  weight,
  options: (s) => f(s).map((op) => [() => op])
});
var bools = [true, false];

// model/designs/queries.ts
var liveMms = (s) => [...s.mms.values()].filter((m) => m.alive);
var vmasWith = (s, kinds) => [...s.vmas.values()].filter((v) => kinds.includes(v.backing.kind));
var lruPages = (s) => s.frames.filter((f) => f.bar === null && !f.free && (f.mapping.kind === "anon" || f.mapping.kind === "file"));
var mappingsWhere = (s, p) => [...s.mappings.values()].filter(p);
var sglsWhere = (s, p) => [...s.sgls.values()].filter(p);
var faultablePages = (s) => vmasWith(s, ["anon", "file"]).flatMap(
  (v) => v.ptes.flatMap((p, i) => p === null || !p.writable ? [{ mm: v.mm, addr: v.start + i }] : [])
);
var isMapped = (s, t) => [...s.mappings.values()].some((m) => m.origin.kind === "sgl" && m.origin.sgl === t.id);

// model/designs/environment.ts
var mmapOf = (backing, bar = 0, barSizes = [1, 2]) => ({
  ...single(`mmap_${backing}`, "environment", 1, (s) => {
    if (s.vmas.size >= s.bounds.vmas) return [];
    const b = backing === "anon" ? { kind: "anon" } : backing === "file" ? { kind: "file", inode: 0 } : { kind: backing, bar };
    const sizes = backing === "bar" ? barSizes : [1];
    return liveMms(s).flatMap((mm) => sizes.map((npages) => ({ kind: "mmap", mm: mm.id, npages, backing: b })));
  }),
  // The process making its buffers: a swarm run always has it, or nothing happens at all.
  swarm: false
});
var byAddress = (s) => [...s.vmas.values()].sort((a, b) => a.mm - b.mm || a.start - b.start);
var munmapAny = single(
  "munmap",
  "environment",
  1,
  (s) => byAddress(s).flatMap((v, i, all2) => {
    const next = all2[i + 1];
    return [
      { kind: "munmap", mm: v.mm, start: v.start, npages: v.npages },
      ...v.npages > 1 ? Array.from({ length: v.npages }, (_, j) => ({ kind: "munmap", mm: v.mm, start: v.start + j, npages: 1 })) : [],
      ...next !== void 0 && next.mm === v.mm && next.start === v.start + v.npages ? [{ kind: "munmap", mm: v.mm, start: v.start, npages: v.npages + next.npages }] : []
    ];
  })
);
var mprotectAny = (kinds) => single(
  "mprotect",
  "environment",
  1,
  (s) => byAddress(s).filter((v) => kinds.includes(v.backing.kind)).flatMap((v) => [{ start: v.start, npages: v.npages }, ...v.npages > 1 ? [{ start: v.start, npages: 1 }] : []].map((r) => ({ ...r, v }))).flatMap(({ v, start, npages }) => [false, true].map((write) => ({ kind: "mprotect", mm: v.mm, start, npages, write })))
);
var mremapAny = (kinds) => single(
  "mremap",
  "environment",
  1,
  (s) => byAddress(s).filter((v) => kinds.includes(v.backing.kind)).flatMap((v) => [
    ...v.npages > 1 ? [{ kind: "mremap", mm: v.mm, start: v.start, npages: v.npages, new_npages: 1, may_move: false }] : [],
    ...v.backing.kind === "bar" ? [] : [{ kind: "mremap", mm: v.mm, start: v.start, npages: v.npages, new_npages: v.npages + 1, may_move: true }]
  ])
);
var exitAny = single("exit_mmap", "environment", 1, (s) => liveMms(s).map((mm) => ({ kind: "exit_mmap", mm: mm.id })));
var forkOf = () => single("fork", "environment", 1, (s) => s.mms.size >= s.bounds.mms ? [] : liveMms(s).map((mm) => ({ kind: "fork", mm: mm.id })));
var writeFaultAny = single(
  "write_fault",
  "environment",
  1,
  (s) => faultablePages(s).map((p) => ({ kind: "write_fault", mm: p.mm, addr: p.addr }))
);
var reclaimAny = single("reclaim", "environment", 1, (s) => lruPages(s).map((f) => ({ kind: "reclaim", page: f.pfn })));
var migrateAny = single("migrate_page", "environment", 1, (s) => lruPages(s).map((f) => ({ kind: "migrate_page", page: f.pfn })));
var writebackAny = single(
  "writeback",
  "environment",
  1,
  (s) => lruPages(s).filter((x) => x.dirty && x.mapping.kind === "file").map((f) => ({ kind: "writeback", page: f.pfn }))
);
var removeProvider = (dev) => single("pci_stop_and_remove_bus_device", "environment", 1, (s) => [
  ...s.bars.some((b) => b.device === dev && b.alive && !b.removing) ? [{ kind: "pci_stop_and_remove_bus_device", dev }] : [],
  ...s.bars.some((b) => b.device === dev && b.alive && b.removing && b.structPages) ? [{ kind: "memunmap_pages", dev }] : []
]);
var can = (write) => (dir) => write ? dir !== "to-device" : dir !== "from-device";
var deviceAccessAny = (write) => single(write ? "device_write" : "device_read", "environment", 2, (s) => [
  ...mappingsWhere(s, (x) => x.api !== "p2p_map" && can(write)(x.dir)).flatMap(
    (m) => m.entries.map((_, index) => ({ kind: write ? "device_write" : "device_read", mapping: m.id, index }))
  ),
  ...[...s.deviceRanges.values()].filter((r) => can(write)(r.dir)).flatMap((r) => r.mapping === null ? [] : r.entries.map((_, index) => ({ kind: write ? "device_write" : "device_read", mapping: r.mapping, index })))
]);
var deviceSvmAccessAny = single(
  "device_svm_access",
  "environment",
  3,
  (s) => [...s.deviceRanges.values()].filter((r) => r.mapping === null).sort((a, b) => a.device - b.device || a.mm - b.mm || a.start - b.start).flatMap((r) => [false, ...r.dir === "to-device" ? [] : [true]].map((write) => ({ kind: "device_svm_access", dev: r.device, mm: r.mm, addr: r.start, write })))
);
var sglConsumer = single(
  "sgl_consumer",
  "environment",
  1,
  (s) => sglsWhere(s, (x) => x.entries.every((e) => e.page !== null) || x.dmaOnly).flatMap((t) => [
    { kind: "sg_copy_to_buffer", sgl: t.id },
    ...t.entries.flatMap((_, index) => [
      { kind: "sg_virt", sgl: t.id, index },
      { kind: "kmap_local_page", sgl: t.id, index }
    ])
  ])
);
var userMemoryEnvironment = () => [
  mmapOf("anon"),
  mmapOf("file"),
  munmapAny,
  exitAny,
  forkOf(),
  writeFaultAny,
  reclaimAny,
  migrateAny,
  writebackAny,
  deviceAccessAny(true),
  deviceAccessAny(false),
  sglConsumer
];

// model/designs/gup-io.ts
var IMPORTER = 1;
var startIo = (flavour) => ({
  name: flavour === "legacy" ? "start_io(get_user_pages)" : "start_io(pin_user_pages)",
  role: "driver",
  weight: 2,
  options: (s) => {
    if (s.pageArrays.size >= s.bounds.ios) return [];
    return vmasWith(s, ["anon", "file"]).flatMap(
      (v) => bools.flatMap(
        (write) => (
          // Stryker disable next-line BooleanLiteral: the legacy flavour's get_user_pages takes no longterm flag
          (flavour === "legacy" ? [false] : bools).map((longterm) => {
            const gupOp = flavour === "legacy" ? { kind: "get_user_pages", mm: v.mm, start: v.start, npages: v.npages, write } : { kind: "pin_user_pages", mm: v.mm, start: v.start, npages: v.npages, write, longterm, p2pdma: false };
            return [
              () => gupOp,
              (_s, made) => ({ kind: "sg_alloc_table_from_pages", pages: made[0] }),
              (_s, made) => ({ kind: "dma_map_sg", dev: IMPORTER, sgl: made[1], dir: write ? "from-device" : "to-device" })
            ];
          })
        )
      )
    );
  }
});
var unmapSgAsMapped = (m) => ({ kind: "dma_unmap_sg", mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir });
var ios = (s) => mappingsWhere(s, (x) => x.api === "dma_map_sg" && x.origin.kind === "sgl" && s.sgls.get(x.origin.sgl)?.pages != null).flatMap((m) => {
  if (m.origin.kind !== "sgl") return [];
  const sgl = s.sgls.get(m.origin.sgl);
  const pages = s.pageArrays.get(sgl.pages);
  return pages === void 0 ? [] : [{ mapping: m, sgl: sgl.id, pages }];
});
var completeIo = (flavour) => ({
  name: flavour === "legacy" ? "complete_io(set_page_dirty_lock, put_page)" : "complete_io(unpin_user_pages_dirty_lock)",
  role: "driver",
  weight: 2,
  options: (s) => ios(s).map((io) => {
    const release2 = flavour === "legacy" ? [...io.pages.write ? [{ kind: "set_page_dirty_lock", pages: io.pages.id }] : [], { kind: "put_page", pages: io.pages.id }] : [{ kind: "unpin_user_pages_dirty_lock", pages: io.pages.id, make_dirty: io.pages.write }];
    const ops = [unmapSgAsMapped(io.mapping), ...release2, { kind: "sg_free_table", sgl: io.sgl }];
    return ops.map((op) => () => op);
  })
});
var asLegacyCall = (op) => {
  switch (op.kind) {
    case "pin_user_pages":
      return [{ kind: "get_user_pages", mm: op.mm, start: op.start, npages: op.npages, write: op.write }];
    case "unpin_user_pages":
      return [{ kind: "put_page", pages: op.pages }];
    case "unpin_user_pages_dirty_lock":
      return [...op.make_dirty ? [{ kind: "set_page_dirty_lock", pages: op.pages }] : [], { kind: "put_page", pages: op.pages }];
    default:
      return [op];
  }
};
var asPinCall = (op) => {
  switch (op.kind) {
    case "get_user_pages":
      return [{ kind: "pin_user_pages", mm: op.mm, start: op.start, npages: op.npages, write: op.write, longterm: false, p2pdma: false }];
    case "put_page":
      return [{ kind: "unpin_user_pages", pages: op.pages }];
    default:
      return [op];
  }
};

// model/designs/misuse.ts
var directions = ["to-device", "from-device", "bidirectional"];
var sgMappings = (s) => mappingsWhere(s, (m) => m.api === "dma_map_sg" && s.devices[m.device]?.bound === true);
var bug = (name, f) => single(`bug:${name}`, "driver", 1, f);
var unmapTwice = {
  name: "bug:unmap_twice",
  role: "driver",
  weight: 1,
  options: (s) => sgMappings(s).map((m) => [() => unmapSgAsMapped(m), () => unmapSgAsMapped(m)])
};
var unmapWrongDevice = bug(
  "unmap_wrong_device",
  (s) => sgMappings(s).flatMap((m) => s.devices.filter((d) => d.id !== m.device).map((d) => ({ ...unmapSgAsMapped(m), dev: d.id })))
);
var unmapWrongDirection = bug(
  "unmap_wrong_direction",
  (s) => sgMappings(s).flatMap((m) => directions.filter((d) => d !== m.dir).map((dir) => ({ kind: "dma_unmap_sg", mapping: m.id, dev: m.device, nents: m.nents, dir })))
);
var unmapReturnedNents = bug(
  "unmap_returned_nents",
  (s) => sgMappings(s).filter((m) => m.mapped !== m.nents).map((m) => ({ kind: "dma_unmap_sg", mapping: m.id, dev: m.device, nents: m.mapped, dir: m.dir }))
);
var unmapWrongApi = bug("unmap_wrong_api", (s) => [
  ...sgMappings(s).map((m) => ({ kind: "pci_p2pdma_unmap_sg", mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir })),
  ...mappingsWhere(s, (m) => m.api === "dma_map_page").map((m) => ({ kind: "dma_unmap_sg", mapping: m.id, dev: m.device, nents: 1, dir: m.dir }))
]);
var syncAfterUnmap = {
  name: "bug:sync_after_unmap",
  role: "driver",
  weight: 1,
  options: (s) => sgMappings(s).map((m) => [() => unmapSgAsMapped(m), () => ({ kind: "dma_sync_sg_for_cpu", mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir })])
};
var syncWrongDirection = bug(
  "sync_wrong_direction",
  (s) => sgMappings(s).filter((m) => m.dir !== "bidirectional").flatMap((m) => directions.filter((d) => d !== m.dir).map((dir) => ({ kind: "dma_sync_sg_for_cpu", mapping: m.id, dev: m.device, nents: m.nents, dir })))
);
var freeTableBeforeUnmap = bug(
  "free_table_before_unmap",
  (s) => sglsWhere(s, (t) => !t.dmaOnly && isMapped(s, t)).map((t) => ({ kind: "sg_free_table", sgl: t.id }))
);
var unbindWithLiveMappings = (dev) => bug(
  "unbind_with_live_mappings",
  (s) => s.devices[dev]?.bound === true && mappingsWhere(s, (m) => m.device === dev).length > 0 ? [{ kind: "device_release_driver", dev }] : []
);
var dmaMapSgOfP2pdmaPage = (dev, bar) => ({
  name: "bug:dma_map_sg_of_p2pdma_page",
  role: "driver",
  weight: 1,
  options: (s) => s.bars[bar]?.alive === true ? [
    [
      () => ({ kind: "pci_alloc_p2pmem", bar }),
      () => ({ kind: "sg_alloc_table", nents: 1 }),
      (s1, made) => {
        const page = s1.frames.find((f) => f.bar === bar && !f.free && f.mapping.kind === "kernel" && !inTable(s1, f.pfn));
        return page === void 0 ? null : { kind: "sg_set_page", sgl: made[1], index: 0, page: page.pfn };
      },
      (_s, made) => ({ kind: "dma_map_sg", dev, sgl: made[1], dir: "from-device" })
    ]
  ] : []
});
var inTable = (s, pfn) => [...s.sgls.values()].some((t) => t.entries.some((e) => e.page === pfn));
var p2pdmaMapSgOfRam = (dev) => bug(
  "p2pdma_map_sg_of_ram",
  (s) => sglsWhere(s, (t) => !t.dmaOnly && !isMapped(s, t) && t.entries.every((e) => e.page !== null && s.frames[e.page].bar === null)).map(
    (t) => ({ kind: "pci_p2pdma_map_sg", dev, sgl: t.id, dir: "from-device" })
  )
);
var pinnedPages = (s) => [...s.pageArrays.values()].flatMap((a) => a.pfns.map((pfn) => ({ pfn, dir: a.write ? "from-device" : "to-device" })));
var mapPage2 = (dev) => ({
  name: "map_page(dma_map_page, dma_mapping_error)",
  role: "driver",
  weight: 1,
  options: (s) => pinnedPages(s).map((p) => [() => ({ kind: "dma_map_page", dev, page: p.pfn, dir: p.dir }), (_s, made) => ({ kind: "dma_mapping_error", dev, mapping: made[0] })])
});
var unmapPage = single(
  "dma_unmap_page",
  "driver",
  1,
  (s) => mappingsWhere(s, (m) => m.api === "dma_map_page").map((m) => ({ kind: "dma_unmap_page", mapping: m.id, dev: m.device, dir: m.dir }))
);
var mapPageUnchecked = (dev) => bug("map_page_unchecked", (s) => pinnedPages(s).map((p) => ({ kind: "dma_map_page", dev, page: p.pfn, dir: p.dir })));
var deviceWritesToDeviceBuffer = bug(
  "device_writes_to_device_buffer",
  (s) => mappingsWhere(s, (m) => m.dir === "to-device" && m.api !== "p2p_map" && s.devices[m.device]?.bound === true).map((m) => ({ kind: "device_write", mapping: m.id, index: 0 }))
);
var unmapBeforeQuiesce = {
  name: "bug:unmap_before_quiesce",
  role: "driver",
  weight: 1,
  options: (s) => sgMappings(s).filter((m) => m.origin.kind === "sgl" && (s.sgls.get(m.origin.sgl)?.pages ?? null) !== null).map((m) => [() => ({ kind: "device_program", dev: m.device, mapping: m.id }), () => unmapSgAsMapped(m)])
};
var misuseTemplates = (dev, bar) => [
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
  unmapBeforeQuiesce
];

// model/designs/dma-api-misuse.ts
var era = {
  forkEarlyCow: true,
  p2pGupGate: false,
  longtermFileGate: false,
  cowReuseOnlyUnreferenced: true,
  pinUnsharesReadOnly: false,
  dmaMapSgP2pdma: false,
  reclaimKeepsPinnedPrivate: false,
  longtermUnsharesCow: false,
  pinSkipsZeroPage: false
};
var mmapTwoPages = single(
  "mmap_anon(2 pages)",
  "environment",
  1,
  (s) => s.vmas.size >= s.bounds.vmas ? [] : liveMms(s).map((mm) => ({ kind: "mmap", mm: mm.id, npages: 2, backing: { kind: "anon" } }))
);
var dmaApiMisuse = {
  id: "dma-api-misuse",
  title: "A careless driver on the streaming DMA API (what dma-debug catches)",
  summary: "A driver following the pin_user_pages recipe, plus single pages mapped with dma_map_page, that may also commit each common misuse: unmap twice, unmap with the wrong device, direction, entry count (the one dma_map_sg returned after the IOMMU merged entries) or API, sync after unmap or in the wrong direction, skip dma_mapping_error, free the table before unmapping, unmap before quiescing the device (which then uses the unmapped addresses), unbind with mappings live, put a P2PDMA page through plain dma_map_sg (before 6.0), or hand RAM to pci_p2pdma_map_sg (2019). The importer sits behind an IOMMU that merges entries.",
  source: "kernel/dma/debug.c (CONFIG_DMA_API_DEBUG); Documentation/core-api/dma-api.rst; Documentation/driver-api/pci/p2pdma.rst",
  world: {
    ramPages: 6,
    devices: [
      { name: "provider (PCI device with a BAR)", p2pPeers: [1] },
      { name: "importer behind a merging IOMMU", p2pPeers: [0], iommuMergesSg: true }
    ],
    bars: [{ device: 0, npages: 2, structPages: true }],
    filePages: 2,
    era
  },
  driver: [startIo("pin"), completeIo("pin"), mapPage2(IMPORTER), unmapPage, ...misuseTemplates(IMPORTER, 0)],
  environment: [mmapOf("anon"), mmapTwoPages, munmapAny, deviceAccessAny(true), deviceAccessAny(false)],
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No generic SGL walker runs in this world: the driver touches memory only through the device."),
    "map-within-vma-lifetime": held2("No mapping is taken through a VMA op."),
    "correct-dirtying": held2("The driver still unpins with unpin_user_pages_dirty_lock, and nothing writes back or reclaims here: misuse of the DMA API alone loses no write."),
    "no-dma-after-free": violated("A P2PDMA page mapped with plain dma_map_sg before 6.0 gets its CPU physical address: the device write reaches no BAR page."),
    "pin-coherent": violated(
      "Not a misuse: the kernel hole of this era (before 84209e87c696, 6.2). A read-only FOLL_LONGTERM pin of never-written memory pins the shared zero page, and the next write fault (a FOLL_WRITE pin, or a store) moves the process to a fresh page the device never reads."
    ),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": violated("Each misuse template is one dma-debug class; the search finds the first it reaches (counterexamples/ has one trace per class)."),
    "provider-removal": held2("No P2P provider is removed in this world: nothing for the rule to judge.")
  }
};

// model/world.ts
var defaultBounds = { vmas: 3, mms: 3, notifiers: 2, ios: 2, mappings: 2 };
var currentEra = {
  forkEarlyCow: true,
  p2pGupGate: true,
  longtermFileGate: true,
  cowReuseOnlyUnreferenced: true,
  pinUnsharesReadOnly: true,
  dmaMapSgP2pdma: true,
  reclaimKeepsPinnedPrivate: true,
  longtermUnsharesCow: true,
  pinSkipsZeroPage: true
};
var freeFrame = (pfn, bar, structPage) => ({
  pfn,
  bar,
  structPage,
  free: true,
  gen: 0,
  refcount: 0,
  pincount: 0,
  mapcount: 0,
  dirty: false,
  fsPrivate: false,
  mapping: { kind: "none" },
  deviceWroteSinceDirtied: false
});
var makeWorld = (w) => {
  const frames = Array.from({ length: w.ramPages }, (_, pfn) => freeFrame(pfn, null, true));
  const bars = w.bars.map((b, id) => {
    const basePfn = frames.length;
    for (let i = 0; i < b.npages; i++) frames.push(freeFrame(basePfn + i, id, b.structPages));
    return { id, device: b.device, basePfn, npages: b.npages, structPages: b.structPages, alive: true, removing: false };
  });
  const devices2 = w.devices.map((d, id) => ({
    id,
    name: d.name,
    p2pPeers: d.p2pPeers,
    driver: d.driver ?? null,
    iommuMergesSg: d.iommuMergesSg ?? false,
    swiotlbForce: d.swiotlbForce ?? false,
    bound: true
  }));
  frames.push({ ...freeFrame(frames.length, null, true), free: false, refcount: 1, mapping: { kind: "zero" } });
  const inodes = [{ id: 0, npages: w.filePages, cache: Array.from({ length: w.filePages }, () => null) }];
  return {
    era: w.era,
    bounds: w.bounds ?? defaultBounds,
    topology: w.pci ?? null,
    nextId: 1,
    frames,
    bars,
    devices: devices2,
    inodes,
    mms: /* @__PURE__ */ new Map([[0, { id: 0, alive: true, hasPinned: false, invalidateSeq: 2, users: 1, mmapReaders: 0 }]]),
    vmas: /* @__PURE__ */ new Map(),
    pageArrays: /* @__PURE__ */ new Map(),
    sgls: /* @__PURE__ */ new Map(),
    mappings: /* @__PURE__ */ new Map(),
    notifiers: /* @__PURE__ */ new Map(),
    invalidations: /* @__PURE__ */ new Map(),
    threads: /* @__PURE__ */ new Map(),
    deviceRanges: /* @__PURE__ */ new Map(),
    records: [],
    driverLocks: []
  };
};

// model/designs/worlds.ts
var devices = [
  { name: "provider (PCI device with a BAR)", p2pPeers: [1] },
  { name: "importer (RDMA NIC)", p2pPeers: [0] }
];
var world = (bar, era2 = currentEra, importer) => ({
  ramPages: 6,
  devices: importer === void 0 ? devices : [devices[0], { name: importer.name, p2pPeers: [0], driver: importer.driver }],
  bars: [{ device: 0, npages: 2, structPages: bar === "p2pdma" }],
  filePages: 2,
  era: era2
});

// model/designs/dma-only-sgl.ts
var dmaOnlySgl = {
  id: "dma-only-sgl",
  title: "DMA-only SGL, DMA mapping done next to GUP",
  summary: "Jason Gunthorpe's counter-proposal (Jan 2019): sgl_dma_map_user(dev, uptr, len) walks the VMAs itself, pins ordinary memory and DMA-maps it, asks an exporter's VMA for BAR addresses, and returns a table of DMA addresses with no CPU side. The layer keeps the pinned pages privately and dirties and unpins them in sgl_dma_unmap. Generic SGL code cannot take such a table at all.",
  source: "Gunthorpe, linux-mm, 30 Jan 2019 (sgl_dma_map_user sketch) and <20190131190202.GC7548@mellanox.com>",
  world: world("raw"),
  driver: [
    single(
      "sgl_dma_map_user",
      "driver",
      2,
      (s) => s.mappings.size >= s.bounds.mappings ? [] : vmasWith(s, ["anon", "file", "bar"]).flatMap(
        (v) => bools.map((write) => ({ kind: "sgl_dma_map_user", dev: IMPORTER, mm: v.mm, start: v.start, npages: v.npages, dir: write ? "from-device" : "to-device" }))
      )
    ),
    single("sgl_dma_unmap", "driver", 1, (s) => sglsWhere(s, (x) => x.dmaOnly).map((t) => ({ kind: "sgl_dma_unmap", sgl: t.id })))
  ],
  environment: [...userMemoryEnvironment(), mmapOf("bar"), removeProvider(0)],
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("A DMA-only table has no CPU side: generic SGL walkers cannot be handed one."),
    "map-within-vma-lifetime": violated("The BAR half has no lifetime of its own: munmap of the exporter's VMA leaves the DMA-only mapping live (the sketch names no notifier or revoke)."),
    "correct-dirtying": held2("The layer pins, keeps the pages and dirties them in sgl_dma_unmap; today's reclaim leaves pinned pages' buffers alone."),
    "no-dma-after-free": violated("Provider removal or munmap frees the BAR window while the device still has its addresses: the gap dma-buf move_notify and p2pdma_provider later filled."),
    "pin-coherent": held2("RAM is pinned with FOLL_PIN: fork copies pinned pages early (5.9) and a read-only pin unshares a page fork left shared (5.19)."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("The layer maps and unmaps inside sgl_dma_map_user/sgl_dma_unmap; the driver makes no streaming DMA API call for dma-debug to judge."),
    "provider-removal": violated("A DMA-only table of a BAR window has no lifetime link to the exporter: the removal completes while its mapping is live.")
  }
};

// model/designs/foll-pci-p2pdma.ts
var PLAIN_QUEUE = 2;
var devicesWorld = {
  ramPages: 6,
  devices: [
    { name: "provider (NVMe CMB with P2PDMA pages)", p2pPeers: [1, 2] },
    { name: "NVMe queue (P2PDMA supported)", p2pPeers: [0] },
    { name: "second queue (no P2PDMA flag, integrity generated by the CPU)", p2pPeers: [0] }
  ],
  bars: [{ device: 0, npages: 2, structPages: true }],
  filePages: 2,
  era: currentEra
};
var oDirect = (queue) => ({
  name: `o_direct(${queue.name})`,
  role: "driver",
  weight: 2,
  options: (s) => s.pageArrays.size >= s.bounds.ios ? [] : vmasWith(s, ["anon", "p2pmem"]).flatMap(
    (v) => bools.map((write) => [
      // A read from disk writes user memory (FOLL_WRITE); a write to disk reads it.
      () => ({ kind: "pin_user_pages", mm: v.mm, start: v.start, npages: v.npages, write, longterm: false, p2pdma: queue.p2pdma }),
      (_s, made) => ({ kind: "sg_alloc_table_from_pages", pages: made[0] }),
      ...queue.cpuStage && !write ? [(_s, made) => ({ kind: "sg_copy_to_buffer", sgl: made[1] })] : [],
      (_s, made) => ({ kind: "dma_map_sg", dev: queue.dev, sgl: made[1], dir: write ? "from-device" : "to-device" })
    ])
  )
});
var environment = [
  mmapOf("p2pmem"),
  mmapOf("anon"),
  munmapAny,
  exitAny,
  forkOf(),
  deviceAccessAny(true),
  deviceAccessAny(false),
  removeProvider(0)
];
var follPciP2pdma = {
  id: "foll-pci-p2pdma",
  title: "O_DIRECT to user-mapped p2pmem with FOLL_PCI_P2PDMA (6.2)",
  summary: "A process mmaps the provider's p2pmem allocate file (P2PDMA pages inserted with vm_insert_page) and anonymous memory, and does O_DIRECT reads and writes on two queues: an NVMe queue with P2PDMA support, for which the block layer pins with FOLL_PCI_P2PDMA and maps with dma_map_sg (bus addresses since 6.0), and a second queue whose device could reach the provider but whose driver does not set P2PDMA support and which generates integrity data with the CPU before a write: it gets no FOLL_PCI_P2PDMA, so GUP refuses P2PDMA pages for it (-EREMOTEIO). Completion unmaps, unpins with unpin_user_pages_dirty_lock and frees the table. The provider may be removed during the I/O: its removal waits for the pinned pages.",
  source: '6.2: "PCI/P2PDMA: Support userspace VMA allocations through sysfs" and the FOLL_PCI_P2PDMA series (Logan Gunthorpe, 2022); 6.0 dma_map_sg P2PDMA support',
  world: devicesWorld,
  driver: [
    oDirect({ name: "NVMe queue, FOLL_PCI_P2PDMA", dev: IMPORTER, p2pdma: true, cpuStage: false }),
    oDirect({ name: "queue without P2PDMA, CPU integrity", dev: PLAIN_QUEUE, p2pdma: false, cpuStage: true }),
    completeIo("pin")
  ],
  environment,
  expected: {
    "no-cpu-iomem": held2("Only the queue with P2PDMA support passes FOLL_PCI_P2PDMA, and it has no CPU stage; GUP refuses P2PDMA pages to the other queue, whose integrity stage reads the data (-EREMOTEIO)."),
    "map-within-vma-lifetime": held2("Mappings come from pins, not from a VMA op: munmap of the p2pmem VMA leaves the pinned pages to the I/O."),
    "correct-dirtying": held2("unpin_user_pages_dirty_lock dirties what the device wrote; since 6.2 dirtying a P2PDMA page is harmless (no mapping, no writeback)."),
    "no-dma-after-free": held2("The pins keep every page allocated until unpin, and dma_map_sg gives P2PDMA segments their bus address (6.0)."),
    "pin-coherent": held2("The p2pmem mapping is shared: fork gives the child the same pages, and no COW moves the process off a pinned page."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("Completion unmaps with the device, count and direction of the map, before the table is freed."),
    "provider-removal": held2("memunmap_pages waits for the pinned P2PDMA pages; completion unmaps before it unpins, so no mapping holds the BAR when the removal completes."),
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge.")
  }
};
var follPciP2pdmaIntegrity = {
  ...follPciP2pdma,
  id: "foll-pci-p2pdma-integrity",
  title: "FOLL_PCI_P2PDMA on a queue that generates integrity data with the CPU",
  summary: "foll-pci-p2pdma with the NVMe queue generating protection information with the CPU before a write (blk-integrity on a namespace formatted with PI that the controller does not insert): the queue supports P2PDMA, so the block layer passes FOLL_PCI_P2PDMA, and its integrity stage then reads the P2P pages through the CPU.",
  driver: [
    oDirect({ name: "NVMe queue, FOLL_PCI_P2PDMA, CPU integrity", dev: IMPORTER, p2pdma: true, cpuStage: true }),
    oDirect({ name: "queue without P2PDMA, CPU integrity", dev: PLAIN_QUEUE, p2pdma: false, cpuStage: true }),
    completeIo("pin")
  ],
  expected: {
    ...follPciP2pdma.expected,
    "no-cpu-iomem": violated("The queue supports P2PDMA, so GUP hands it P2PDMA pages, and its integrity stage reads them with the CPU (sg_copy_to_buffer stands for the PI generation): a CPU access to __iomem. The block layer's P2P decision must also ask whether any stage touches the data.")
  }
};
var bounceWorld = {
  ...devicesWorld,
  devices: devicesWorld.devices.map((d, i) => i === 0 ? d : { ...d, swiotlbForce: true }),
  pci: { hostBridges: [{ allowListed: true }], switches: [], slots: [{ hostBridge: 0 }, { hostBridge: 0 }, { hostBridge: 0 }] }
};
var follPciP2pdmaBounce = {
  ...follPciP2pdma,
  id: "foll-pci-p2pdma-bounce",
  title: "FOLL_PCI_P2PDMA in a confidential guest: queues that must bounce, P2P through the host bridge",
  summary: "foll-pci-p2pdma where every queue must bounce through swiotlb (a confidential guest) and reaches the provider only through an allowed host bridge: dma_map_sg maps a P2PDMA segment with dma_direct_map_page, which must not bounce it. RAM I/O bounces: the CPU copies the data into the bounce slot at map and back at unmap.",
  source: `kernel/dma/direct.h dma_direct_map_page (6.0 to 6.17: is_pci_p2pdma_page under is_swiotlb_force_bounce returns DMA_MAPPING_ERROR); the 2025 dma_map_phys conversion review (Gunthorpe: "shouldn't we be checking swiotlb things for ATTR_MMIO and failing if swiotlb is needed?")`,
  world: bounceWorld,
  expected: {
    ...follPciP2pdma.expected,
    "no-cpu-iomem": held2(
      "dma_direct_map_page returns DMA_MAPPING_ERROR for a P2PDMA page on a device that must bounce, so dma_map_sg fails (dma_map_sgtable: -EIO) and the O_DIRECT on p2pmem fails: the bounce never copies __iomem. The CPU copies only RAM in and out of the bounce slots."
    )
  }
};

// model/designs/gup-set-page-dirty.ts
var gupSetPageDirty = {
  id: "gup-set-page-dirty",
  title: "Legacy get_user_pages + set_page_dirty_lock + put_page",
  summary: "The pre-5.6 recipe every GUP user followed, still legal today: get_user_pages(FOLL_WRITE) takes a plain page reference, the driver builds and maps an SGL, the device writes, and at completion the driver unmaps, calls set_page_dirty_lock and drops the reference with put_page. The reference is indistinguishable from any other, so neither reclaim nor fork can tell a page is under DMA.",
  source: "Documentation/core-api/pin_user_pages.rst; Jan Kara and John Hubbard, linux-fsdevel/linux-mm 2018",
  world: world("raw"),
  driver: [startIo("legacy"), completeIo("legacy")],
  environment: userMemoryEnvironment(),
  translate: asLegacyCall,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("GUP refuses VM_IO|VM_PFNMAP VMAs, so only RAM reaches the SGL."),
    "map-within-vma-lifetime": held2("Mappings come from page references, not from a VMA op."),
    "correct-dirtying": violated("Reclaim strips the buffers of a page it cannot see is under DMA; the late set_page_dirty_lock dirties a page the filesystem never prepared (the 2018 ext4 BUG)."),
    "no-dma-after-free": held2("The page reference keeps every mapped page allocated until put_page."),
    "pin-coherent": violated("fork shares the referenced page copy-on-write; the parent's next store moves it to a copy and the device writes the child's page."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step)."),
    "provider-removal": held2("No P2P provider is removed in this world: nothing for the rule to judge.")
  }
};

// model/designs/importer-steps.ts
import * as E10 from "fp-ts/lib/Either.js";
var importerNotifiers = (s) => [...s.notifiers.values()].filter((n) => n.owner === IMPORTER);
var registerNotifierOver = (kinds) => single(
  "mmu_interval_notifier_insert",
  "driver",
  1,
  (s) => s.notifiers.size >= s.bounds.notifiers ? [] : vmasWith(s, kinds).filter((v) => !importerNotifiers(s).some((n) => n.mm === v.mm && n.start === v.start && n.end === v.start + v.npages)).map((v) => ({ kind: "mmu_interval_notifier_insert", mm: v.mm, start: v.start, npages: v.npages, owner: IMPORTER }))
);
var registerNotifier = registerNotifierOver(["bar"]);
var ownThreads = (s) => [...s.threads.values()].filter((t) => t.device === IMPORTER);
var mapRange = single("driver_map_range", "driver", 2, (s) => {
  const d = driverView(s, IMPORTER);
  return d.intervals.filter((n) => !ownThreads(s).some((t) => t.inv === null && t.notifier === n.notifier)).filter((n) => !d.records.some((r) => r.notifier === n.notifier)).map((n) => ({ kind: "driver_map_range", dev: IMPORTER, notifier: n.notifier }));
});
var driverThreads = {
  name: "driver thread",
  role: "driver",
  weight: 12,
  options: (s) => {
    const tids = [...s.threads.keys()].sort((a, b) => a - b);
    return tids.flatMap((tid) => peekThread(s, tid) === null ? [] : [[(st) => peekThread(st, tid)]]);
  }
};
var MAX_RUN = 8;
var RELEASES = /* @__PURE__ */ new Set(["mmap_read_unlock", "driver_unlock", "invalidate_callback_return", "mmput", "driver_return", "p2p_map", "p2p_unmap"]);
var runLength = (s, tid) => {
  let st = s;
  for (let n = 0; n < MAX_RUN; ) {
    const op = peekThread(st, tid);
    if (op === null) return n;
    const out = step(st, op);
    if (E10.isLeft(out)) return n;
    n++;
    if (RELEASES.has(op.kind)) return n;
    st = out.right.state;
  }
  return MAX_RUN;
};
var runsOf = (tid, n) => Array.from({ length: Math.max(0, n - 1) }, (_, i) => n - i).map((k) => Array.from({ length: k }, () => (st) => peekThread(st, tid)));
var driverThreadRunsOn = {
  name: "driver thread runs on",
  role: "driver",
  weight: 6,
  searchOnly: true,
  options: (s) => [...s.threads.keys()].sort((a, b) => a - b).flatMap((tid) => runsOf(tid, runLength(s, tid)))
};
var newestThreadRunsOn = {
  name: "newest driver thread runs on",
  role: "driver",
  weight: 4,
  searchOnly: true,
  options: (s) => {
    for (const tid of [...s.threads.keys()].sort((a, b) => b - a)) {
      const n = runLength(s, tid);
      if (n > 0) return [...runsOf(tid, n), [(st) => peekThread(st, tid)]];
    }
    return [];
  }
};
var releaseRange = {
  name: "release(stop, p2p_unmap, forget)",
  role: "driver",
  weight: 1,
  options: (s) => driverView(s, IMPORTER).records.filter((r) => !ownThreads(s).some((t) => t.mapping === r.mapping)).map((r) => [
    () => ({ kind: "driver_lock", dev: IMPORTER }),
    () => ({ kind: "device_stop_dma", dev: IMPORTER, mm: r.mm, start: r.start, npages: r.end - r.start }),
    () => ({ kind: "p2p_unmap", mapping: r.mapping }),
    () => ({ kind: "driver_forget", dev: IMPORTER, mapping: r.mapping }),
    () => ({ kind: "driver_unlock", dev: IMPORTER })
  ])
};
var removeNotifier = single("mmu_interval_notifier_remove", "driver", 1, (s) => {
  const d = driverView(s, IMPORTER);
  return d.intervals.filter((n) => !ownThreads(s).some((t) => t.notifier === n.notifier)).filter((n) => !d.records.some((r) => r.notifier === n.notifier)).map((n) => ({ kind: "mmu_interval_notifier_remove", notifier: n.notifier }));
});
var invalidateRangeEnd = {
  ...single(
    "mmu_notifier_invalidate_range_end",
    "environment",
    3,
    (s) => [...s.invalidations.values()].filter(
      (i) => i.running === null && i.queue.length === 0
    ).map((i) => ({ kind: "mmu_notifier_invalidate_range_end", inv: i.id }))
  ),
  swarm: false
};
var threadedImporter = [registerNotifier, mapRange, driverThreads, driverThreadRunsOn, newestThreadRunsOn, releaseRange, removeNotifier];

// model/designs/mirror-steps.ts
var deviceMaps = (s, mm, addr, write) => [...s.deviceRanges.values()].some((r) => r.device === IMPORTER && r.mapping === null && r.mm === mm && r.start <= addr && addr < r.end && (!write || r.dir !== "to-device"));
var deviceFault = single(
  "driver_map_range",
  "driver",
  2,
  (s) => driverView(s, IMPORTER).intervals.filter((n) => !ownThreads(s).some((t) => t.inv === null && t.notifier === n.notifier)).flatMap(
    (n) => [false, true].filter((write) => Array.from({ length: n.end - n.start }, (_, i) => n.start + i).some((addr) => !deviceMaps(s, n.mm, addr, write))).map((write) => ({ kind: "driver_map_range", dev: IMPORTER, notifier: n.notifier, write }))
  )
);
var stopMirroring = {
  name: "stop mirroring(zap, mmu_interval_notifier_remove)",
  role: "driver",
  weight: 1,
  options: (s) => driverView(s, IMPORTER).intervals.filter((n) => !ownThreads(s).some((t) => t.notifier === n.notifier)).map((n) => [
    () => ({ kind: "driver_lock", dev: IMPORTER }),
    () => ({ kind: "device_stop_dma", dev: IMPORTER, mm: n.mm, start: n.start, npages: n.end - n.start }),
    () => ({ kind: "driver_unlock", dev: IMPORTER }),
    () => ({ kind: "mmu_interval_notifier_remove", notifier: n.notifier })
  ])
};
var mirrorImporter = [registerNotifierOver(["anon", "file"]), deviceFault, driverThreads, driverThreadRunsOn, newestThreadRunsOn, stopMirroring];

// model/designs/hmm-mirror.ts
var mirrorEnvironment = [
  mmapOf("anon"),
  mmapOf("file"),
  munmapAny,
  mprotectAny(["anon", "file"]),
  exitAny,
  forkOf(),
  writeFaultAny,
  reclaimAny,
  migrateAny,
  writebackAny,
  deviceSvmAccessAny,
  invalidateRangeEnd
];
var hmmMirror = {
  id: "hmm-mirror",
  title: "HMM mirror over process memory (hmm_range_fault + interval notifier)",
  summary: "A device that shares the process's address space (a GPU with SVM, an ODP RDMA NIC) registers an mmu interval notifier over anonymous or file memory. On a device fault its driver runs hmm.rst's loop: mmget_not_zero, read_begin, mmap_read_lock, hmm_range_fault (faulting pages in, -EBUSY when its own fault broke COW, -EPERM for a write to a VMA without VM_WRITE), mmap_read_unlock, take the driver lock, read_retry, program the device page table from the pfns (read-only where the CPU PTE was), unlock, mmput. Its callback takes the lock, sets the seq and zaps the device's entries for the range on every event. No pins: munmap, exit, mprotect, fork, a COW break, page_mkclean, reclaim and migration all reach the device only through the notifier.",
  source: "Documentation/mm/hmm.rst; mm/hmm.c (hmm_range_fault); include/linux/mmu_notifier.h",
  world: world("raw", currentEra, { name: "mirroring device (GPU with SVM, ODP RDMA NIC)", driver: { invalidate: "mirror-invalidate", mapPath: "hmm-mirror-fault" } }),
  driver: mirrorImporter,
  environment: mirrorEnvironment,
  searchSwarm: true,
  searchCommands: 160,
  expected: {
    "no-cpu-iomem": held2("No SGL exists, and hmm_range_fault refuses VM_IO|VM_PFNMAP memory (-EFAULT)."),
    "map-within-vma-lifetime": held2("No p2p_map mapping exists."),
    "correct-dirtying": held2("The device writes only through entries made from writable PTEs, which a write fault dirtied; page_mkclean write-protects the PTE and the callback zaps the entry before the page is clean, so reclaim never drops a page holding device data."),
    "no-dma-after-free": held2("Reclaim and migration free a page only after its notifier callbacks returned, and the callback zapped the device entry first."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": held2("The callback sets the seq and zaps under the driver lock; the map path checks read_retry under the same lock before it programs the device."),
    "dma-api-hygiene": held2("No streaming DMA API mappings exist."),
    "provider-removal": held2("No P2P memory is mirrored: hmm_range_fault refuses BAR VMAs."),
    "mirror-coherent": held2("Every PTE change waits for the callbacks, which zap the device entries of the range; a map path that an invalidation overtook sees read_retry say so under the lock the callback takes, and faults again.")
  }
};

// model/designs/hmm-mirror-noretry.ts
var hmmMirrorNoRetry = {
  ...hmmMirror,
  id: "hmm-mirror-noretry",
  title: "HMM mirror whose map path skips mmu_interval_read_retry",
  summary: "hmm-mirror's driver with its map path missing the read_retry check: it programs the device with what hmm_range_fault returned even when an invalidation ran between the two (its callback found nothing to zap yet), a common driver bug.",
  world: world("raw", currentEra, { name: "mirroring device without the retry check", driver: { invalidate: "mirror-invalidate", mapPath: "hmm-mirror-fault-noretry" } }),
  expected: {
    ...hmmMirror.expected,
    "no-dma-after-free": violated("Reclaim or migration frees the page between hmm_range_fault and the programming; the device is then given the freed pfn."),
    "notifier-protocol": violated("The map path programs pfns after an invalidation of its notifier set a new seq since its read_begin."),
    "mirror-coherent": violated("Between hmm_range_fault and the programming, a COW break, migration, reclaim or munmap changes the PTE; the callback finds no entry yet, and the device is then given the old pfn.")
  }
};

// model/designs/hmm-mirror-skip-harmless.ts
var hmmMirrorSkipHarmless = {
  ...hmmMirror,
  id: "hmm-mirror-skip-harmless",
  title: "HMM mirror whose callback skips CLEAR and PROTECTION_PAGE",
  summary: "hmm-mirror's driver with a callback that still sets the seq but leaves the device's entries alone on MMU_NOTIFY_CLEAR and MMU_NOTIFY_PROTECTION_PAGE, which its author took for harmless. Those are the events of a COW break, reclaim and migration (the PTE will point elsewhere or nowhere) and of fork's COW write-protect and page_mkclean (the PTE loses write access).",
  world: world("raw", currentEra, { name: "mirroring device whose callback skips CLEAR and PROTECTION_PAGE", driver: { invalidate: "mirror-invalidate-skip-harmless", mapPath: "hmm-mirror-fault" } }),
  expected: {
    ...hmmMirror.expected,
    "correct-dirtying": violated("page_mkclean's PROTECTION_PAGE is skipped: the device keeps writing a page writeback has cleaned, and reclaim then drops the clean page with the device's data."),
    "no-dma-after-free": violated("Reclaim or migration frees the page once the callbacks returned; the device entry the callback skipped still holds it."),
    "notifier-protocol": violated("After a CLEAR or PROTECTION_PAGE invalidation every callback has returned while the device still maps the range."),
    "mirror-coherent": violated("A COW break, migration or reclaim moves the page under CLEAR and the device keeps the old pfn; fork or page_mkclean write-protects under PROTECTION_PAGE and the device keeps writing.")
  }
};

// model/designs/p2pdma-page-sgl.ts
var looseP2pPages = (s) => s.frames.filter(
  (f) => f.bar !== null && f.structPage && !f.free && f.mapping.kind === "kernel" && ![...s.sgls.values()].some((t) => t.entries.some((e) => e.page === f.pfn))
);
var p2pdmaPageSgl = {
  id: "p2pdma-page-sgl",
  title: "ZONE_DEVICE P2PDMA pages in ordinary SGLs (2019 upstream)",
  summary: "Logan Gunthorpe's P2PDMA as merged in 4.20: a provider registers its BAR with pci_p2pdma_add_resource, an orchestrator (nvmet) allocates with pci_alloc_p2pmem, puts the pages in an ordinary scatterlist with sg_set_page, and the client maps it with pci_p2pdma_map_sg. The pages have struct pages, so the SGL looks like any other to the generic code that walks it.",
  source: "drivers/pci/p2pdma.c (2019); Documentation/driver-api/pci/p2pdma.rst",
  world: world("p2pdma"),
  driver: [
    single("pci_alloc_p2pmem", "driver", 1, () => [{ kind: "pci_alloc_p2pmem", bar: 0 }]),
    {
      name: "build_sgl(sg_alloc_table, sg_set_page)",
      role: "driver",
      weight: 2,
      options: (s) => looseP2pPages(s).map((f) => [() => ({ kind: "sg_alloc_table", nents: 1 }), (_s, made) => ({ kind: "sg_set_page", sgl: made[0], index: 0, page: f.pfn })])
    },
    single(
      "pci_p2pdma_map_sg",
      "driver",
      2,
      (s) => sglsWhere(s, (x) => !x.dmaOnly && !isMapped(s, x)).flatMap(
        (t) => bools.map((write) => ({ kind: "pci_p2pdma_map_sg", dev: IMPORTER, sgl: t.id, dir: write ? "from-device" : "to-device" }))
      )
    ),
    {
      name: "complete(pci_p2pdma_unmap_sg, sg_free_table)",
      role: "driver",
      weight: 1,
      options: (s) => mappingsWhere(s, (x) => x.api === "pci_p2pdma_map_sg").flatMap((m) => {
        if (m.origin.kind !== "sgl") return [];
        const sgl = m.origin.sgl;
        return [[() => ({ kind: "pci_p2pdma_unmap_sg", mapping: m.id, dev: m.device, nents: m.nents, dir: m.dir }), () => ({ kind: "sg_free_table", sgl })]];
      })
    },
    single("pci_free_p2pmem", "driver", 1, (s) => looseP2pPages(s).map((f) => ({ kind: "pci_free_p2pmem", page: f.pfn }))),
    single("memcpy_toio", "driver", 1, (s) => looseP2pPages(s).map((f) => ({ kind: "memcpy_toio", page: f.pfn })))
  ],
  environment: [sglConsumer, deviceAccessAny(true), deviceAccessAny(false), removeProvider(0)],
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": violated("Any generic SGL walker (bounce, integrity, soft RDMA) kmaps or memcpys the P2PDMA page: its kernel address is MMIO."),
    "map-within-vma-lifetime": held2("Kernel-internal: no VMA is involved."),
    "correct-dirtying": held2("No GUP and no dirtying: the orchestrator owns the memory."),
    "no-dma-after-free": held2("Provider removal waits for every page reference; the driver frees only after unmapping."),
    "pin-coherent": held2("No user pages are involved."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("The orchestrator unmaps with pci_p2pdma_unmap_sg and the arguments it mapped with, then frees the table."),
    "provider-removal": held2("memunmap_pages waits until the orchestrator has unmapped and freed every page, and a page in a mapped table is never freed, so no mapping outlives the removal.")
  }
};

// model/designs/pin-user-pages.ts
var pinUserPagesEnvironment = userMemoryEnvironment();
var pinUserPages2 = {
  id: "pin-user-pages",
  title: "pin_user_pages + unpin_user_pages_dirty_lock (today's kernel)",
  summary: "The FOLL_PIN recipe on a current kernel: pin_user_pages(FOLL_WRITE [|FOLL_LONGTERM]) takes a pin that page_maybe_dma_pinned() can see, the driver maps an SGL, and completion unmaps and calls unpin_user_pages_dirty_lock. fork copies pinned anon pages early (5.9), a read-only pin unshares a page fork left shared (5.19), reclaim leaves pinned pages' buffers alone (6.4), and long-term writable pins of file mappings are refused (6.5).",
  source: "Documentation/core-api/pin_user_pages.rst; 70e806e4e645; d824ec2a1546; 8ac268436e6d",
  world: world("raw"),
  driver: [startIo("pin"), completeIo("pin")],
  environment: pinUserPagesEnvironment,
  translate: asPinCall,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("GUP refuses VM_IO|VM_PFNMAP VMAs and P2PDMA pages without FOLL_PCI_P2PDMA."),
    "map-within-vma-lifetime": held2("Mappings come from pins, not from a VMA op."),
    "correct-dirtying": held2("Since 6.4 reclaim keeps the buffers of pinned pages, and unpin_user_pages_dirty_lock dirties before the pin goes. The pin_user_pages.rst TODO (writeback racing a pinned page: stable pages) is outside what this model writes back."),
    "no-dma-after-free": held2("The pin keeps every mapped page allocated until unpin."),
    "pin-coherent": held2("Early COW at fork (5.9) leaves a pinned page with the parent, a read-only pin unshares a page fork left shared (5.19), and a read-only long-term pin unshares the zero page (6.2). A short-term read-only pin of the zero page is not unshared, and its reads are snapshots the invariant does not judge."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step)."),
    "provider-removal": held2("No P2P provider is removed in this world: nothing for the rule to judge.")
  }
};

// model/designs/pin-user-pages-5-9.ts
var pinUserPages59 = {
  id: "pin-user-pages-5.9",
  title: "pin_user_pages + unpin_user_pages_dirty_lock on Linux 5.9",
  summary: "The same FOLL_PIN recipe on Linux 5.9, the kernel that brought early COW at fork: pins are visible to fork, but reclaim still releases the buffers of a pinned page-cache page (until 6.4), so the dirtying at unpin reaches a page the filesystem no longer tracks, and a read-only pin of a page shared by fork is not unshared (until 5.19), so the process moves off the page the device reads. These are holes the kernel itself had, shown as they were.",
  source: "Documentation/core-api/pin_user_pages.rst (TODO); d824ec2a1546 (the 6.4 reclaim fix); cc5095747edf (ext4, 5.18); CVE-2020-29374 and FAULT_FLAG_UNSHARE (5.19)",
  world: world("raw", { forkEarlyCow: true, p2pGupGate: false, longtermFileGate: false, cowReuseOnlyUnreferenced: true, pinUnsharesReadOnly: false, dmaMapSgP2pdma: false, reclaimKeepsPinnedPrivate: false, longtermUnsharesCow: false, pinSkipsZeroPage: false }),
  driver: [startIo("pin"), completeIo("pin")],
  environment: pinUserPagesEnvironment,
  translate: asPinCall,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("GUP refuses VM_IO|VM_PFNMAP VMAs, so only RAM reaches the SGL."),
    "map-within-vma-lifetime": held2("Mappings come from pins, not from a VMA op."),
    "correct-dirtying": violated("The kernel's own hole until 6.4: reclaim strips a pinned page's buffers and unpin_user_pages_dirty_lock dirties it anyway."),
    "no-dma-after-free": held2("The pin keeps every mapped page allocated until unpin."),
    "pin-coherent": violated("Early COW only copies pages pinned at fork time; a read-only pin taken after fork does not unshare before 5.19, so the parent's next store moves it off the page the device reads (CVE-2020-29374). A read-only long-term pin of never-written memory pins the shared zero page until 6.2 (84209e87c696), with the same effect at the first store."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("The driver unmaps with the device, count and direction it mapped with, before freeing the table; nothing is left mapped at unbind (no unbind step)."),
    "provider-removal": held2("No P2P provider is removed in this world: nothing for the rule to judge.")
  }
};

// model/designs/vma-p2p-map.ts
var p2pMapAny = {
  name: "import(p2p_map, device_program)",
  role: "driver",
  weight: 2,
  options: (s) => s.mappings.size >= s.bounds.mappings ? [] : vmasWith(s, ["bar"]).flatMap(
    (v) => bools.map((write) => [() => ({ kind: "p2p_map", vma: v.id, dev: IMPORTER, write }), (_st, made) => ({ kind: "device_program", dev: IMPORTER, mapping: made[0] })])
  )
};
var p2pUnmapAny = {
  name: "release(device_stop_dma, p2p_unmap)",
  role: "driver",
  weight: 1,
  options: (s) => mappingsWhere(s, (x) => x.api === "p2p_map" && x.origin.kind === "vma-op").map((m) => {
    const o = m.origin;
    return [() => ({ kind: "device_stop_dma", dev: m.device, mm: o.mm, start: o.start, npages: o.npages }), () => ({ kind: "p2p_unmap", mapping: m.id })];
  })
};
var exporterEnvironment = [
  mmapOf("bar"),
  munmapAny,
  mprotectAny(["bar"]),
  mremapAny(["bar"]),
  exitAny,
  forkOf(),
  removeProvider(0),
  deviceAccessAny(true),
  deviceAccessAny(false),
  invalidateRangeEnd
];
var vmaP2pMap = {
  id: "vma-p2p-map",
  title: "p2p_map/p2p_unmap VMA ops, importer without mmu notifier",
  summary: "J\xE9r\xF4me Glisse's RFC (Jan 2019): an exporting driver mmaps its BAR (VM_IO|VM_PFNMAP) with two new vm_ops; the importer looks up the VMA behind a user address, calls p2p_map to get DMA addresses of the BAR window and programs its device, and calls p2p_unmap when it is done. This variant is an importer that does not register an mmu notifier (non-ODP RDMA, VFIO): nothing ties the mapping to the VMA.",
  source: 'Glisse, "[RFC PATCH 3/5] mm/vma: add support for peer to peer to device vma", linux-mm, 29 Jan 2019; Gunthorpe <20190131190202.GC7548@mellanox.com>',
  world: world("raw"),
  driver: [p2pMapAny, p2pUnmapAny],
  environment: exporterEnvironment,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": violated("munmap destroys the VMA while the importer still holds its p2p_map addresses."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": violated("After munmap the exporter gives the BAR window back (or the provider is removed), and the device still writes there."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": held2("No mmu interval notifier callbacks run: nothing for the protocol to judge."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("The exporter's removal zaps the VMA, but nothing tells the importer: its device still holds the BAR addresses when the removal completes.")
  }
};

// model/designs/vma-p2p-map-notifier.ts
var vmaP2pMapNotifier = {
  id: "vma-p2p-map-notifier",
  title: "p2p_map/p2p_unmap VMA ops, importer holds an mmu interval notifier",
  summary: "The same VMA ops with the importer the RFC asks for: it registers an mmu interval notifier over the range; its map path is hmm.rst's (mmget_not_zero, read_begin, mmap_read_lock, find_vma, p2p_map, mmap_read_unlock, take the driver lock, read_retry, program the device, unlock, mmput) with one change: it takes the driver lock before p2p_map and records the result in its own list under it, so no callback can run between p2p_map and the record (vma-p2p-map-notifier-hmm-literal and -record-unlocked show why both parts are needed). Its invalidate callback takes the lock, sets the seq, stops the device for the range, p2p_unmaps and forgets what it recorded in the range, and unlocks. The callback knows only what the driver recorded, as a C driver does. Both run as driver threads interleaved with everything else. Fits importers that can stop DMA at any time (GPUs, ODP RDMA). Finding about the RFC's API: p2p_map(vma, ...) takes no range and maps the whole VMA, so a notifier over part of the VMA (a notifier that outlived its VMA, with a bigger VMA mmapped at the same address) leaves pages mapped whose munmap runs no callback; the map path must refuse a VMA that reaches past its notifier's range, or the API must take a range.",
  source: "Glisse RFC 3/5 (29 Jan 2019) and his reply of 31 Jan 2019; Documentation/mm/hmm.rst",
  world: world("raw", currentEra, { name: "importer (GPU or ODP RDMA NIC)", driver: { invalidate: "stop-unmap", mapPath: "hmm-map-locked" } }),
  driver: threadedImporter,
  environment: exporterEnvironment,
  // Its races take 16 to 25 calls in one order, between exits and removals that end a run's world
  // (measured in docs/performance.md): swarm runs, twice the steps per run.
  searchSwarm: true,
  searchCommands: 160,
  translate: (op, s) => {
    if (op.kind === "p2p_map") {
      const v = s.vmas.get(op.vma);
      if (v === void 0) return [op];
      return [
        { kind: "mmu_interval_notifier_insert", mm: v.mm, start: v.start, npages: v.npages, owner: op.dev },
        { kind: "driver_map_range", dev: op.dev, notifier: s.nextId }
      ];
    }
    if (op.kind === "device_program" || op.kind === "device_stop_dma") return [];
    if (op.kind === "p2p_unmap") {
      const m = s.mappings.get(op.mapping);
      if (m === void 0 || m.origin.kind !== "vma-op") return [op];
      return [
        { kind: "driver_lock", dev: m.device },
        { kind: "device_stop_dma", dev: m.device, mm: m.origin.mm, start: m.origin.start, npages: m.origin.npages },
        op,
        { kind: "driver_forget", dev: m.device, mapping: op.mapping },
        { kind: "driver_unlock", dev: m.device }
      ];
    }
    return [op];
  },
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": held2("munmap and exit invalidate the range first, and the callback p2p_unmaps every recorded mapping before the VMA goes; the map path records its mapping under the driver lock before mmap_read_unlock, so no callback can run between p2p_map and the record, and it holds an mm_users reference, so exit_mmap waits for its mmput."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": held2("Provider removal and munmap run the notifier first: the callback stops the device before the window is zapped or given back."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": held2("The callback sets the seq under the driver lock; the map path checks read_retry under the same lock before it programs the device."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": held2("unmap_mapping_range runs the notifier: the callback stops the device and p2p_unmaps what was recorded before the removal completes; it waits for the driver lock while a map path is between p2p_map and the record, so it always finds the mapping.")
  }
};

// model/designs/vma-p2p-map-notifier-hmm-literal.ts
var vmaP2pMapNotifierHmmLiteral = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-hmm-literal",
  title: "p2p_map VMA ops with a notifier, map path that records its mapping where hmm.rst does",
  summary: "The importer of vma-p2p-map-notifier with hmm.rst's map path taken literally: read_begin, mmap_read_lock, find_vma, p2p_map, mmap_read_unlock, take the driver lock, read_retry, and only then record the mapping in the driver's own list and program the device. Between mmap_read_unlock and the record an invalidation (munmap, exit, the provider's removal) runs the callback, which finds no record of the new mapping and returns; the VMA goes while the mapping is live. p2p_map allocates where hmm_range_fault does not, so the driver must record each p2p_map result before mmap_read_unlock.",
  source: "Documentation/mm/hmm.rst (the map path); Glisse RFC 3/5 (29 Jan 2019); issue 16 of this project (found by restricting the callback to the driver's own records)",
  world: world("raw", currentEra, { name: "importer whose map path records after read_retry (hmm.rst's order)", driver: { invalidate: "stop-unmap", mapPath: "hmm-map-literal" } }),
  // The munmap must land in a window of one call (between mmap_read_unlock and driver_lock), then the
  // callback must win the lock: 10000 runs find it on 17 of seeds 1..20 (docs/performance.md).
  searchRuns: 3e4,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": violated("munmap runs the callback after p2p_map and before the record: the callback finds nothing to give back, and the VMA is destroyed under the live mapping."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": held2("The retry check catches the invalidation before the device is programmed, so the device never reaches the window; only the mapping outlives it."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": held2("The map path checks read_retry under the driver lock before it programs the device; the callback stops the device for what it recorded."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("The provider's removal runs the callback between p2p_map and the record; the callback finds nothing, and the removal completes with the importer's mapping of the BAR still live.")
  }
};

// model/designs/vma-p2p-map-notifier-readonly.ts
var vmaP2pMapNotifierReadOnly = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-readonly",
  title: "p2p_map VMA ops with a notifier, importer that keeps read-only access on mprotect",
  summary: "The importer of vma-p2p-map-notifier (the locked map path, which asks p2p_map for a writable mapping only where the VMA has VM_WRITE) with a callback that uses mmu_notifier_range_update_to_read_only(): on MMU_NOTIFY_PROTECTION_VMA (mprotect) it write-protects its device's page table for the range and keeps the mappings, so the device goes on reading; on MMU_NOTIFY_UNMAP, CLEAR or RELEASE it stops the device and p2p_unmaps as stop-unmap does. Safe only because the kernel passes the right event: the callback's choice hangs on it.",
  source: "include/linux/mmu_notifier.h and mm/mmu_notifier.c (mmu_notifier_range_update_to_read_only: PROTECTION_VMA and VM_READ); Documentation/mm/hmm.rst",
  world: world("raw", currentEra, { name: "importer that keeps read-only access on a protection change", driver: { invalidate: "protect-readonly", mapPath: "hmm-map-locked" } }),
  expected: {
    ...vmaP2pMapNotifier.expected,
    "map-within-vma-lifetime": held2("munmap and exit send MMU_NOTIFY_UNMAP or RELEASE, on which the callback gives every recorded mapping back before the VMA goes; only mprotect keeps a mapping, and mprotect destroys no VMA."),
    "notifier-protocol": held2("On a protection change the device keeps only read access, which the protocol allows after PROTECTION_VMA; on every other event the callback stops the device before it returns.")
  }
};

// model/designs/vma-p2p-map-notifier-record-unlocked.ts
var vmaP2pMapNotifierRecordUnlocked = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-record-unlocked",
  title: "p2p_map VMA ops with a notifier, map path that records before mmap_read_unlock but without the driver lock",
  summary: "The importer of vma-p2p-map-notifier whose map path records each p2p_map result in its own list before mmap_read_unlock, as the first fix of hmm.rst's order suggests, but takes the driver lock only afterwards. mmap_read_lock keeps munmap, mremap and mprotect out of the window between p2p_map and the record, and the driver's mm_users reference keeps exit_mmap out; the exporter's removal is not kept out: unmap_mapping_range takes no mmap_lock, so its invalidate callback runs in the window, finds no record, and the removal completes while the importer holds the BAR's addresses.",
  source: "Glisse RFC 3/5 (29 Jan 2019); Documentation/mm/hmm.rst; mm/memory.c unmap_mapping_range (i_mmap_lock, no mmap_lock); found by this model (issue 16)",
  world: world("raw", currentEra, { name: "importer whose map path records without the driver lock", driver: { invalidate: "stop-unmap", mapPath: "hmm-map" } }),
  // The removal must land in a window of one call (between p2p_map and the record), then its
  // callback must finish before the map path records: 10000 runs find it on about 4 seeds in 6.
  searchRuns: 3e4,
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": held2("Only munmap, mremap and exit destroy VMAs, and none can run between p2p_map and the record: the first two wait for mmap_read_lock, exit for the mm reference."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": held2("The retry check catches the removal before the device is programmed, so the device never reaches the removed BAR; only the mapping outlives the removal."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": held2("The map path checks read_retry under the driver lock before it programs the device; the callback stops the device for what it recorded."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("The removal's callback runs between p2p_map and the record (unmap_mapping_range takes no mmap_lock), finds nothing, and the removal completes with the importer's mapping of the BAR live.")
  }
};

// model/designs/vma-p2p-map-notifier-noretry.ts
var vmaP2pMapNotifierNoRetry = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-noretry",
  title: "p2p_map VMA ops with a notifier, map path without mmu_interval_read_retry",
  summary: "The importer of vma-p2p-map-notifier with a common driver bug: its map path reads the seq and calls p2p_map, takes the lock and programs the device without checking mmu_interval_read_retry. An invalidation whose callback runs between p2p_map and the programming leaves the device with addresses the callback already gave back.",
  source: "Documentation/mm/hmm.rst (the retry check the pattern requires); domain notes, design (c), counterexample C-2",
  world: world("raw", currentEra, { name: "importer whose map path skips read_retry", driver: { invalidate: "stop-unmap", mapPath: "hmm-map-noretry" } }),
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": held2("The callback p2p_unmaps every mapping of the range, also one the map path has not programmed yet."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": violated("The device is programmed with addresses the callback gave back; after munmap the exporter frees the window and the device still writes there."),
    "pin-coherent": held2("No GUP references exist."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("A map path that skipped read_retry programs addresses the callback already gave back; the removal then completes with the device holding them."),
    "notifier-protocol": violated("An invalidate callback returns between p2p_map and device programming; without read_retry the map path programs the stale addresses.")
  }
};

// model/designs/vma-p2p-map-notifier-nostop.ts
var vmaP2pMapNotifierNoStop = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-nostop",
  title: "p2p_map/p2p_unmap VMA ops with a notifier, importer that cannot stop DMA",
  summary: "The notifier importer run by a device that cannot stop at an arbitrary moment: a non-ODP RDMA NIC or VFIO, the case the 2019 thread asked about. The invalidate callback is delivered, but all the driver can do is record it (set the seq) and return; the device keeps the BAR addresses p2p_map gave it. Such importers must either refuse the mapping or fall back to a pin, which the RFC did not offer.",
  source: "Gunthorpe <20190131190202.GC7548@mellanox.com>, point (2); domain notes, design (c), counterexample C-1",
  world: world("raw", currentEra, { name: "importer that cannot stop DMA (non-ODP RDMA NIC)", driver: { invalidate: "record-only", mapPath: "hmm-map-locked" } }),
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": violated("The callback returns with the mapping still live, and munmap then destroys the VMA under it."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": violated("After munmap the exporter gives the BAR window back while the device still writes there."),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": violated("The callback returns true while the device can still reach the range."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("The callback cannot stop the device, so it still holds the BAR addresses when the removal completes.")
  }
};

// model/designs/vma-p2p-map-notifier-whole-vma.ts
var vmaP2pMapNotifierWholeVma = {
  ...vmaP2pMapNotifier,
  id: "vma-p2p-map-notifier-whole-vma",
  title: "p2p_map VMA ops with a notifier, callback that ignores partial invalidations",
  summary: "The importer of vma-p2p-map-notifier whose invalidate callback only stops the device and p2p_unmaps when the invalidation covers the whole notifier range. munmap of one page of a two-page BAR window, or an mremap that shrinks it, invalidates part of the range: the callback sets the seq and returns while the device keeps the addresses of the page being unmapped. Its exporter maps two-page windows only, so every one-page munmap and mremap shrink is such a partial invalidation.",
  source: "include/linux/mmu_notifier.h (the range passed to ->invalidate is the part being invalidated); Documentation/mm/hmm.rst",
  // The exporter maps two-page BAR windows only: every munmap of one page, and every mremap
  // shrink, is then an invalidation of part of a notifier's range, which is what this
  // importer gets wrong.
  environment: exporterEnvironment.map((t) => t.name === "mmap_bar" ? mmapOf("bar", 0, [2]) : t),
  world: world("raw", currentEra, { name: "importer that handles whole-range invalidations only", driver: { invalidate: "whole-range-only", mapPath: "hmm-map-locked" } }),
  expected: {
    "mirror-coherent": held2("No device mirrors a process page table (no hmm_range_fault): nothing for the rule to judge."),
    "no-cpu-iomem": held2("No SGL with pages exists: p2p_map returns DMA addresses only."),
    "map-within-vma-lifetime": violated("A partial munmap unmaps one page of the window while the mapping made for the whole VMA stays live."),
    "correct-dirtying": held2("No GUP and no dirtying: BAR memory has no page cache."),
    "no-dma-after-free": violated(
      "A partial munmap or an mremap shrink gives a window page back to the exporter at ->close while the device, never stopped for that page, still reaches it. The search finds it on 13 of 20 seeds in the default budget."
    ),
    "pin-coherent": held2("No GUP references exist."),
    "notifier-protocol": violated("The callback returns true for a partial range while the device can still reach it."),
    "dma-api-hygiene": held2("p2p_map/p2p_unmap are the exporter's VMA ops, outside the streaming DMA API that dma-debug checks."),
    "provider-removal": violated("A removal whose range covers only part of the notifier (after a partial munmap) is ignored by the callback: the removal completes with the device still programmed.")
  }
};

// model/designs/index.ts
var designs = [gupSetPageDirty, pinUserPages2, pinUserPages59, p2pdmaPageSgl, vmaP2pMap, vmaP2pMapNotifier, vmaP2pMapNotifierReadOnly, vmaP2pMapNotifierRecordUnlocked, vmaP2pMapNotifierHmmLiteral, vmaP2pMapNotifierNoRetry, vmaP2pMapNotifierNoStop, vmaP2pMapNotifierWholeVma, hmmMirror, hmmMirrorSkipHarmless, hmmMirrorNoRetry, follPciP2pdma, follPciP2pdmaIntegrity, follPciP2pdmaBounce, dmaOnlySgl, dmaApiMisuse];
var designById = (id) => designs.find((d) => d.id === id);

// properties/invariant.ts
var invariantIds = [
  "no-cpu-iomem",
  "map-within-vma-lifetime",
  "correct-dirtying",
  "no-dma-after-free",
  "pin-coherent",
  "notifier-protocol",
  "dma-api-hygiene",
  "provider-removal",
  "mirror-coherent"
];

// properties/invariants/correct-dirtying.ts
import * as O from "fp-ts/lib/Option.js";
var correctDirtying = {
  id: "correct-dirtying",
  rule: "Device-written user pages are dirtied before release (and before reclaim drops them), never iomem, and only while the filesystem can write them back.",
  source: "Documentation/core-api/pin_user_pages.rst; Kara/Hubbard 2018; d824ec2a1546; cc5095747edf",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind === "reference-dropped" && e.write && e.undirtiedDeviceData)
        return O.some(`the ${e.pin ? "pin" : "reference"} on page ${e.pfn} (pages ${e.pages}) was dropped while it held device-written data nobody dirtied: the write is lost`);
      if (e.kind === "page-freed") {
        const was = before.frames[e.pfn];
        if (was.mapping.kind === "file" && was.deviceWroteSinceDirtied && step2.state.inodes[was.mapping.inode]?.cache[was.mapping.index] === null)
          return O.some(`page ${e.pfn} (inode ${was.mapping.inode}, index ${was.mapping.index}) was freed from the page cache while it held data a device wrote after the page was last dirtied: a clean page is dropped, not written back, and the write is lost`);
        continue;
      }
      if (e.kind !== "page-dirtied") continue;
      const f = step2.state.frames[e.pfn];
      if (f.bar !== null && !before.era.p2pGupGate) return O.some(`page ${e.pfn} was dirtied, but it is __iomem in BAR ${f.bar}: dirtying has no meaning there`);
      if (f.mapping.kind === "file" && !f.fsPrivate)
        return O.some(
          `page ${e.pfn} (inode ${f.mapping.inode}, index ${f.mapping.index}) was dirtied after reclaim released its buffers: ->writepage gets a dirty page the filesystem never prepared`
        );
    }
    return O.none;
  },
  exercised: (_before, _op, step2) => step2.events.some((e) => e.kind === "reference-dropped" && e.write || e.kind === "page-dirtied")
};

// properties/invariants/dma-api-hygiene.ts
import * as O2 from "fp-ts/lib/Option.js";
var PAGE_SIZE = 4096;
var dirName = (d) => ({ "to-device": "DMA_TO_DEVICE", "from-device": "DMA_FROM_DEVICE", bidirectional: "DMA_BIDIRECTIONAL" })[d];
var mapType2 = (api) => ({ dma_map_sg: "scatter-gather", dma_map_page: "single", dma_map_single: "single", pci_p2pdma_map_sg: "pci_p2pdma_map_sg", p2p_map: "p2p_map", sgl_dma_map_user: "sgl_dma_map_user" })[api];
var tracked = (m) => m.api === "dma_map_sg" || m.api === "dma_map_page" || m.api === "dma_map_single";
var where = (m) => `[device address=0x${(m.entries[0].dma * PAGE_SIZE).toString(16).padStart(16, "0")}] [size=${m.entries.length * PAGE_SIZE} bytes]`;
var notAllocated = (verb, mapping, dev, m) => `DMA-API: device ${dev}: device driver tries to ${verb} DMA memory it has not allocated [mapping ${mapping}]` + (m === void 0 ? " (unmapped already, or never mapped)" : m.device !== dev ? ` (mapping ${mapping} belongs to device ${m.device})` : ` (made by ${m.api}, which dma-debug does not track)`);
var checkUnmap = (before, mapping, dev, dir, nents, unmappedAs, p2p) => {
  const m = before.mappings.get(mapping);
  if (m === void 0 || m.device !== dev || !p2p && !tracked(m) && m.api !== "pci_p2pdma_map_sg") return O2.some(notAllocated("free", mapping, dev, m));
  const mapped = mapType2(m.api);
  if (mapped !== unmappedAs)
    return O2.some(`DMA-API: device ${dev}: device driver frees DMA memory with wrong function ${where(m)} [mapped as ${mapped}] [unmapped as ${unmappedAs}]`);
  if (nents !== null && nents !== m.nents)
    return O2.some(`DMA-API: device ${dev}: device driver frees DMA sg list with different entry count [map count=${m.nents}] [unmap count=${nents}]`);
  if (dir !== m.dir)
    return O2.some(`DMA-API: device ${dev}: device driver frees DMA memory with different direction ${where(m)} [mapped with ${dirName(m.dir)}] [unmapped with ${dirName(dir)}]`);
  if ((m.api === "dma_map_page" || m.api === "dma_map_single") && !m.errorChecked)
    return O2.some(`DMA-API: device ${dev}: device driver failed to check map error ${where(m)} [mapped as ${mapped}]`);
  return O2.none;
};
var checkSync = (before, toCpu, o) => {
  const m = before.mappings.get(o.mapping);
  if (m === void 0 || m.device !== o.dev || !tracked(m)) return O2.some(notAllocated("sync", o.mapping, o.dev, m));
  if (m.dir === "bidirectional") return O2.none;
  const pair = `${where(m)} [mapped with ${dirName(m.dir)}] [synced with ${dirName(o.dir)}]`;
  if (o.dir !== m.dir) return O2.some(`DMA-API: device ${o.dev}: device driver syncs DMA memory with different direction ${pair}`);
  if (toCpu && m.dir !== "from-device" && o.dir !== "to-device") return O2.some(`DMA-API: device ${o.dev}: device driver syncs device read-only DMA memory for cpu ${pair}`);
  if (!toCpu && m.dir !== "to-device" && o.dir !== "from-device") return O2.some(`DMA-API: device ${o.dev}: device driver syncs device write-only DMA memory to device ${pair}`);
  if (o.nents !== m.nents) return O2.some(`DMA-API: device ${o.dev}: device driver syncs DMA sg list with different entry count [map count=${m.nents}] [sync count=${o.nents}]`);
  return O2.none;
};
var afterUnmap = (before, mapping, write) => {
  if (before.mappings.has(mapping)) return O2.none;
  const r = [...before.deviceRanges.values()].find((x) => x.mapping === mapping && x.streaming);
  if (r === void 0) return O2.none;
  const iommu = before.devices[r.device]?.iommuMergesSg === true;
  return O2.some(
    `device ${r.device} ${write ? "wrote" : "read"} through a DMA address of mapping ${mapping} after its driver called dma_unmap_sg: the driver unmapped before it quiesced the device (${iommu ? "behind an IOMMU the access faults" : "with a direct mapping the access reaches whatever the page is by then"}; no dma-debug check sees this)`
  );
};
var judges = {
  dma_unmap_sg: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, o.nents, "scatter-gather", false),
  dma_unmap_page: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, null, "single", false),
  dma_unmap_single: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, null, "single", false),
  pci_p2pdma_unmap_sg: (before, o) => checkUnmap(before, o.mapping, o.dev, o.dir, o.nents, "pci_p2pdma_map_sg", true),
  // Stryker disable next-line BooleanLiteral: toCpu only selects between lines 51 and 52, both unreachable (see there)
  dma_sync_sg_for_cpu: (before, o) => checkSync(before, true, o),
  // Stryker disable next-line BooleanLiteral: toCpu only selects between lines 51 and 52, both unreachable (see there)
  dma_sync_sg_for_device: (before, o) => checkSync(before, false, o),
  device_release_driver: (before, o) => {
    if (before.devices[o.dev]?.bound !== true) return O2.none;
    const live = [...before.mappings.values()].filter((m2) => m2.device === o.dev);
    if (live.length === 0) return O2.none;
    const m = live[0];
    return O2.some(
      `DMA-API: device ${o.dev}: device driver has pending DMA allocations while released from device [count=${live.length}] One of leaked entries details: ${where(m)} [mapped with ${dirName(m.dir)}] [mapped as ${mapType2(m.api)}]`
    );
  },
  // A device writing a buffer its driver mapped DMA_TO_DEVICE (the driver told it to): nothing in
  // the kernel sees it, dma-debug included. With swiotlb the write lands in the bounce buffer and is
  // never copied back; behind an IOMMU the mapping is read-only and the write faults; with a direct
  // mapping it lands, and a later sync for the CPU may not cover it (Documentation/core-api/dma-api-howto.rst).
  device_read: (before, o) => afterUnmap(before, o.mapping, false),
  device_write: (before, o) => {
    const stale = afterUnmap(before, o.mapping, true);
    if (O2.isSome(stale)) return stale;
    const m = before.mappings.get(o.mapping);
    if (m === void 0 || m.dir !== "to-device" || m.api === "p2p_map") return O2.none;
    return O2.some(`device ${m.device} wrote through mapping ${o.mapping}, which its driver mapped DMA_TO_DEVICE (${m.api}): the device may only read it; with swiotlb the write never reaches the page, behind an IOMMU it faults (no dma-debug check sees this)`);
  },
  sg_free_table: (before, o) => {
    const m = [...before.mappings.values()].find((x) => x.origin.kind === "sgl" && x.origin.sgl === o.sgl);
    return m === void 0 ? O2.none : O2.some(`sg_free_table: sgl ${o.sgl} is freed while mapping ${m.id} (${m.api} for device ${m.device}) is live: its unmap will read freed memory`);
  }
};
var judgeOf = (op) => judges[op.kind];
var dmaApiHygiene = {
  id: "dma-api-hygiene",
  rule: "Unmaps and syncs match a live mapping of the same device, function, entry count and direction; map errors are checked; nothing is left mapped at unbind.",
  source: "kernel/dma/debug.c (CONFIG_DMA_API_DEBUG); Documentation/core-api/dma-api.rst",
  check: (before, op, step2) => {
    const judge2 = judgeOf(op);
    return judge2 === void 0 ? O2.none : judge2(before, op, step2);
  },
  exercised: (_before, op) => judgeOf(op) !== void 0
};

// properties/invariants/mirror-coherent.ts
import * as O3 from "fp-ts/lib/Option.js";
var cpuPte = (s, e) => {
  if (e.va === void 0) return null;
  const v = findVma(s, e.va.mm, e.va.addr);
  const pte = v === void 0 ? null : v.ptes[e.va.addr - v.start] ?? null;
  return v === void 0 || pte === null ? null : { ...pte, vmWrite: v.writable };
};
var changing = (s, mm, addr) => [...s.invalidations.values()].some((i) => i.ranges.some((r) => r.mm === mm && r.start <= addr && addr < r.end));
var mirrorCoherent = {
  id: "mirror-coherent",
  rule: "A device access through a mirror of a process page table reaches the frame the CPU maps at that virtual page now, and writes only where the VMA allows writing and the CPU PTE is writable.",
  source: "Documentation/mm/hmm.rst; include/linux/mmu_notifier.h",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind !== "device-access" || e.va === void 0) continue;
      const pte = cpuPte(before, e);
      const at = `page ${e.va.addr} of mm ${e.va.mm}`;
      const verb = e.write ? "wrote" : "read";
      if (pte === null)
        return O3.some(`device ${e.device} ${verb} pfn ${e.pfn} through its mirror of ${at}, but the CPU page table maps nothing there now: the page was unmapped or reclaimed without the device's entry going`);
      if (pte.pfn !== e.pfn)
        return O3.some(`device ${e.device} ${verb} pfn ${e.pfn} through its mirror of ${at}, but the CPU page table maps pfn ${pte.pfn} there now: the device and the process see different memory`);
      if (e.write && !pte.vmWrite && !changing(before, e.va.mm, e.va.addr))
        return O3.some(`device ${e.device} wrote pfn ${e.pfn} through its mirror of ${at}, but the VMA there has no VM_WRITE (mprotect): the device writes where the process may not`);
      if (e.write && !pte.writable)
        return O3.some(`device ${e.device} wrote pfn ${e.pfn} through a writable mirror entry for ${at}, but the CPU PTE there is read-only (write-protected for COW, writeback or mprotect): the write bypasses the write-protect`);
    }
    return O3.none;
  },
  /**
   * The collision the notifier exists for: an invalidation starts over a
   * page the device's mirror maps.
   */
  exercised: (before, _op, step2) => step2.events.some((e) => {
    if (e.kind !== "invalidate-range-start") return false;
    const inv = step2.state.invalidations.get(e.inv);
    return inv !== void 0 && [...before.deviceRanges.values()].some((r) => r.mapping === null && inv.ranges.some((g) => g.mm === r.mm && g.start < r.end && r.start < g.end));
  })
};

// properties/invariants/map-within-vma-lifetime.ts
import * as O4 from "fp-ts/lib/Option.js";
var originRange = (m) => (
  // Stryker disable next-line ConditionalExpression: an sgl or page origin has no mm field, so the range's mm is undefined and never equals the mm hits() compares
  m.origin.kind === "vma-op" ? { mm: m.origin.mm, start: m.origin.start, end: m.origin.start + m.origin.npages } : null
);
var hits = (m, mm, start, end2) => {
  const r = originRange(m);
  return r !== null && r.mm === mm && r.start < end2 && start < r.end;
};
var opRange = (op) => op.kind === "munmap" || op.kind === "mremap" ? { mm: op.mm, start: op.start, end: op.start + op.npages } : op.kind === "exit_mmap" ? { mm: op.mm, start: 0, end: Number.MAX_SAFE_INTEGER } : null;
var liveIn = (s, mm, start, end2) => [...s.mappings.values()].some((m) => hits(m, mm, start, end2));
var mapWithinVmaLifetime = {
  id: "map-within-vma-lifetime",
  rule: "A DMA mapping taken through a VMA is torn down before any page of that VMA is unmapped.",
  source: "Glisse RFC 3/5 (29 Jan 2019); Gunthorpe <20190131190202.GC7548@mellanox.com>",
  check: (_before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind !== "vma-destroyed") continue;
      for (const m of step2.state.mappings.values()) {
        if (!hits(m, e.mm, e.start, e.end)) continue;
        const whole = m.origin.kind === "vma-op" && m.origin.vma === e.vma;
        return O4.some(
          whole ? `vma ${e.vma} was destroyed while mapping ${m.id} (${m.api} for device ${m.device}) still holds DMA addresses of its BAR window` : `pages [${e.start}, ${e.end}) of mm ${e.mm} were unmapped (vma ${e.vma}) while mapping ${m.id} (${m.api} for device ${m.device}) still holds DMA addresses of the BAR window there`
        );
      }
    }
    return O4.none;
  },
  /** Pages are unmapped, or an invalidation that will unmap them starts, while a mapping made for them is live. */
  exercised: (before, op, step2) => step2.events.some((e) => {
    if (e.kind === "vma-destroyed") return liveIn(before, e.mm, e.start, e.end);
    if (e.kind !== "invalidate-range-start") return false;
    const r = opRange(op);
    return r !== null && liveIn(before, r.mm, r.start, r.end);
  })
};

// properties/invariants/no-cpu-iomem.ts
import * as O5 from "fp-ts/lib/Option.js";
var noCpuIomem = {
  id: "no-cpu-iomem",
  rule: "The CPU never touches PCI BAR memory except through __iomem accessors.",
  source: "Documentation/driver-api/pci/p2pdma.rst; Gunthorpe, linux-mm, 30-31 Jan 2019",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind === "cpu-access-no-page")
        return O5.some(`${e.via} dereferenced entry ${e.index} of sgl ${e.sgl}, which has no page: the table's CPU side was left out, and its memory may be __iomem`);
      if (e.kind !== "cpu-access" || e.io) continue;
      const f = before.frames[e.pfn];
      if (f === void 0 || f.bar === null) continue;
      const bar = before.bars[f.bar];
      const what = f.structPage ? "a ZONE_DEVICE P2PDMA page" : "raw MMIO";
      return O5.some(`${e.via} made a plain CPU access to pfn ${e.pfn}, ${what} in BAR ${bar.id} of device ${bar.device} (__iomem)`);
    }
    return O5.none;
  },
  exercised: (_before, _op, step2) => step2.events.some((e) => e.kind === "cpu-access" && !e.io || e.kind === "cpu-access-no-page")
};

// properties/invariants/no-dma-after-free.ts
import * as O6 from "fp-ts/lib/Option.js";
var noDmaAfterFree = {
  id: "no-dma-after-free",
  rule: "A device only reaches memory that is still allocated to the mapping it uses.",
  source: "Documentation/driver-api/pci/p2pdma.rst; Documentation/core-api/pin_user_pages.rst",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind !== "device-access") continue;
      const f = before.frames[e.pfn];
      const verb = e.write ? "wrote" : "read";
      const via = e.mapping === null ? `its mirror of page ${e.va?.addr ?? "?"} of mm ${e.va?.mm ?? "?"}` : `mapping ${e.mapping}`;
      if (e.reached !== e.pfn)
        return O6.some(
          `device ${e.device} ${verb} through ${via}, made for pfn ${e.pfn}, but its bus address reaches ${e.reached === null ? "no memory of the model (a wrong bus address)" : `pfn ${e.reached}`}`
        );
      const bar = f.bar === null ? void 0 : before.bars[f.bar];
      if (bar !== void 0 && !bar.alive)
        return O6.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but the provider of BAR ${bar.id} was removed`);
      if (f.free) return O6.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but that memory was freed`);
      if (f.gen !== e.gen)
        return O6.some(`device ${e.device} ${verb} pfn ${e.pfn} through ${via}, but that memory was freed and now belongs to someone else`);
    }
    return O6.none;
  },
  exercised: (_before, _op, step2) => step2.events.some((e) => e.kind === "device-access")
};

// properties/invariants/notifier-protocol.ts
import * as O7 from "fp-ts/lib/Option.js";
var notifierProtocol = {
  id: "notifier-protocol",
  rule: "A device is programmed only with addresses no invalidation has overtaken (set a new seq since the read began), and once the last invalidate callback of an invalidation returned, no device of a notifier over the range can reach it.",
  source: "Documentation/mm/hmm.rst; include/linux/mmu_notifier.h (mmu_interval_read_retry, mmu_interval_set_seq)",
  check: (before, op, step2) => {
    if (op.kind === "device_program_pfns") {
      const t = op.by === void 0 ? void 0 : before.threads.get(op.by);
      if (t?.stale === true)
        return O7.some(
          `device ${op.dev} was programmed with the pfns hmm_range_fault returned after an invalidation of notifier ${t.notifier} set a new seq since the map path's mmu_interval_read_begin; ${t.retry === null ? "the map path never called mmu_interval_read_retry" : "mmu_interval_read_retry did not see it"} (seq ${t.seq ?? "?"} from mmu_interval_read_begin)`
        );
    }
    if (op.kind === "device_program") {
      const t = [...before.threads.values()].find((x) => x.device === op.dev && x.mapping === op.mapping && x.inv === null);
      if (t?.stale === true)
        return O7.some(
          `device ${op.dev} was programmed with mapping ${op.mapping}'s addresses after an invalidation of notifier ${t.notifier} set a new seq since the map path's mmu_interval_read_begin; ${t.retry === null ? "the map path never called mmu_interval_read_retry" : "mmu_interval_read_retry did not see it"} (seq ${t.seq ?? "?"} from mmu_interval_read_begin)`
        );
    }
    for (const e of step2.events) {
      if (e.kind !== "callback-returned" || !e.ret) continue;
      const inv = step2.state.invalidations.get(e.inv);
      if (inv === void 0 || inv.running !== null || inv.queue.length > 0) continue;
      for (const n of step2.state.notifiers.values())
        for (const g of inv.ranges) {
          if (n.mm !== g.mm || !(n.start < g.end && g.start < n.end)) continue;
          const [lo, hi] = [Math.max(n.start, g.start), Math.min(n.end, g.end)];
          const readOnlyOk = inv.event === "MMU_NOTIFY_PROTECTION_VMA" || inv.event === "MMU_NOTIFY_PROTECTION_PAGE";
          const r = [...step2.state.deviceRanges.values()].find(
            (x) => x.device === n.owner && x.mm === g.mm && x.start < hi && lo < x.end && !(readOnlyOk && x.dir === "to-device")
          );
          if (r !== void 0)
            return O7.some(
              `every invalidate callback of invalidation ${e.inv} has returned (the last: notifier ${e.notifier}'s, true) while device ${n.owner} can still reach pages ${Math.max(lo, r.start)}-${Math.min(hi, r.end) - 1} of mm ${g.mm} through mapping ${r.mapping}: invalidate_range_start returns as if it could not`
            );
        }
    }
    return O7.none;
  },
  /**
   * The dangerous case itself: an invalidation of a notifier sets a new seq
   * while a map path of that notifier holds p2p_map addresses or
   * hmm_range_fault pfns from a read section not yet overtaken. The
   * collision the sequence count exists for.
   */
  exercised: (before, op) => op.kind === "mmu_interval_set_seq" && [...before.threads.values()].some((t) => t.inv === null && t.notifier === op.notifier && (t.entries !== null || t.pfns !== null) && t.stale === false)
};

// properties/invariants/pin-coherent.ts
import * as O8 from "fp-ts/lib/Option.js";
var judged = (e, a) => e.write || a.longterm;
var mappedNow = (before, a, i) => {
  const v = before.vmas.get(a.vmas[i] ?? a.vma);
  if (v === void 0) return null;
  return v.ptes[a.start + i - v.start]?.pfn ?? null;
};
var pinCoherent = {
  id: "pin-coherent",
  rule: "A device write through a GUP reference, or a read through a long-term pin, reaches the page its process still maps there.",
  source: "70e806e4e645 (Linux 5.9); 84209e87c696 (Linux 6.2); Documentation/core-api/pin_user_pages.rst",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind !== "device-access") continue;
      for (const a of before.pageArrays.values()) {
        const i = a.pfns.indexOf(e.pfn);
        if (i < 0 || !judged(e, a)) continue;
        const now = mappedNow(before, a, i);
        if (now !== null && now !== e.pfn)
          return O8.some(
            `device ${e.device} ${e.write ? "wrote" : "read"} pfn ${e.pfn}, which mm ${a.mm} got from ${a.kind === "pin" ? "pin_user_pages" : "get_user_pages"} at virtual page ${a.start + i}, but mm ${a.mm} now maps pfn ${now} there: ${e.write ? "the write is lost to the process" : "the device reads data the process has replaced"}`
          );
      }
    }
    return O8.none;
  },
  exercised: (before, _op, step2) => step2.events.some(
    (e) => e.kind === "device-access" && [...before.pageArrays.values()].some((a) => {
      const i = a.pfns.indexOf(e.pfn);
      return i >= 0 && judged(e, a) && mappedNow(before, a, i) !== null;
    })
  )
};

// properties/invariants/provider-removal.ts
import * as O9 from "fp-ts/lib/Option.js";
var barOf = (s, pfn, device) => {
  const f = s.frames[pfn];
  const bar = f === void 0 || f.bar === null ? void 0 : s.bars[f.bar];
  return bar !== void 0 && (device === void 0 || bar.device === device) ? bar : void 0;
};
var providerRemoval = {
  id: "provider-removal",
  rule: "When a provider's removal completes no device holds an address of its BARs, and nothing reaches its frames afterwards.",
  source: "Documentation/driver-api/pci/p2pdma.rst; drivers/pci/p2pdma.c (pci_p2pdma_release, memunmap_pages)",
  check: (before, _op, step2) => {
    for (const e of step2.events) {
      if (e.kind === "provider-removed") {
        for (const m of step2.state.mappings.values()) {
          const hit = m.entries.find((x) => barOf(step2.state, x.pfn, e.device) !== void 0);
          if (hit !== void 0)
            return O9.some(`the removal of provider device ${e.device} completed while mapping ${m.id} (${m.api} for device ${m.device}) still holds the DMA address of pfn ${hit.pfn}`);
        }
        for (const r of step2.state.deviceRanges.values()) {
          const hit = r.entries.find((x) => barOf(step2.state, x.pfn, e.device) !== void 0);
          if (hit !== void 0)
            return O9.some(`the removal of provider device ${e.device} completed while device ${r.device} is still programmed with pfn ${hit.pfn} (mapping ${r.mapping})`);
        }
      }
      if (e.kind === "device-access" || e.kind === "cpu-access") {
        const bar = barOf(before, e.pfn);
        if (bar !== void 0 && !bar.alive)
          return O9.some(
            `${e.kind === "device-access" ? `device ${e.device} ${e.write ? "wrote" : "read"}` : `the CPU (${e.via}) accessed`} pfn ${e.pfn} after the removal of provider device ${bar.device} completed`
          );
      }
    }
    return O9.none;
  },
  exercised: (_before, _op, step2) => step2.events.some((e) => e.kind === "provider-removed")
};

// properties/registry.ts
var invariants = [noCpuIomem, mapWithinVmaLifetime, correctDirtying, noDmaAfterFree, pinCoherent, notifierProtocol, dmaApiHygiene, providerRemoval, mirrorCoherent];
var invariantById = (id) => invariants.find((i) => i.id === id);

// properties/search.ts
import fc from "fast-check";
import * as O10 from "fp-ts/lib/Option.js";

// properties/trace.ts
var formatValue = (v) => {
  if (v !== null && typeof v === "object") {
    const { kind, ...rest2 } = v;
    const inner = Object.entries(rest2).map(([k, x]) => `${k}=${formatValue(x)}`).join(", ");
    return kind === void 0 ? `{${inner}}` : inner === "" ? kind : `${kind}(${inner})`;
  }
  return String(v);
};
var formatOp = (op) => {
  const { kind, ...args } = op;
  return `${kind}(${Object.entries(args).map(([k, v]) => `${k}=${formatValue(v)}`).join(", ")})`;
};

// properties/well-formed.ts
var ModelBug = class extends Error {
};
var wellFormed = (s) => {
  for (const m of s.mms.values()) {
    if (m.users < (m.alive ? 1 : 0)) return `mm ${m.id} ${m.alive ? "runs" : "has exited"} with mm_users ${m.users}`;
    if (m.mmapReaders < 0 || m.mmapReaders > s.threads.size) return `mm ${m.id} has ${m.mmapReaders} mmap_read_lock holders and ${s.threads.size} driver threads`;
  }
  const tearingDown = (mm) => [...s.invalidations.values()].some((i) => i.then.kind === "exit_mmap" && i.then.mm === mm);
  const mapcount = /* @__PURE__ */ new Map();
  for (const v of s.vmas.values()) {
    const m = s.mms.get(v.mm);
    if (m === void 0 || m.users === 0 && !tearingDown(v.mm)) return `vma ${v.id} belongs to mm ${v.mm}, whose address space is gone`;
    if (v.ptes.length !== v.npages) return `vma ${v.id} has ${v.ptes.length} PTEs for ${v.npages} pages`;
    for (const w of s.vmas.values())
      if (w.id !== v.id && w.mm === v.mm && v.start < w.start + w.npages && w.start < v.start + v.npages) return `vmas ${v.id} and ${w.id} overlap`;
    for (const p of v.ptes) if (p !== null) mapcount.set(p.pfn, (mapcount.get(p.pfn) ?? 0) + 1);
  }
  const gupRefs = /* @__PURE__ */ new Map();
  const pins = /* @__PURE__ */ new Map();
  for (const a of s.pageArrays.values())
    for (const pfn of a.pfns) {
      gupRefs.set(pfn, (gupRefs.get(pfn) ?? 0) + 1);
      if (a.kind === "pin") pins.set(pfn, (pins.get(pfn) ?? 0) + 1);
    }
  const cached = /* @__PURE__ */ new Set();
  for (const ino of s.inodes)
    for (const [index, pfn] of ino.cache.entries()) {
      if (pfn === null) continue;
      const f = s.frames[pfn];
      if (f === void 0 || f.free || f.mapping.kind !== "file" || f.mapping.inode !== ino.id || f.mapping.index !== index)
        return `page cache of inode ${ino.id} index ${index} points at pfn ${pfn}, which is not that file page`;
      cached.add(pfn);
    }
  for (const f of s.frames) {
    const m = mapcount.get(f.pfn) ?? 0;
    if (f.free) {
      if (f.refcount !== 0 || f.pincount !== 0 || f.mapcount !== 0) return `free frame ${f.pfn} has refcount ${f.refcount}, pincount ${f.pincount}, mapcount ${f.mapcount}`;
      if (m > 0 && f.structPage) return `free page ${f.pfn} is still mapped by ${m} PTE(s)`;
      if ((gupRefs.get(f.pfn) ?? 0) > 0) return `free page ${f.pfn} is still held by a GUP array`;
      continue;
    }
    if (!f.structPage) continue;
    if (f.mapping.kind === "zero") {
      const pinned = s.era.pinSkipsZeroPage ? 0 : pins.get(f.pfn) ?? 0;
      const refs = 1 + (gupRefs.get(f.pfn) ?? 0) - (pins.get(f.pfn) ?? 0) + pinned;
      if (f.mapcount !== 0 || f.pincount !== pinned || f.refcount !== refs)
        return `the zero page has refcount ${f.refcount}, pincount ${f.pincount}, mapcount ${f.mapcount}; expected ${refs}, ${pinned}, 0`;
      continue;
    }
    if (f.mapcount !== m) return `page ${f.pfn} has mapcount ${f.mapcount} but ${m} PTE(s) map it`;
    if (f.pincount !== (pins.get(f.pfn) ?? 0)) return `page ${f.pfn} has pincount ${f.pincount} but ${pins.get(f.pfn) ?? 0} pin(s) are held`;
    const expected = m + (cached.has(f.pfn) ? 1 : 0) + (gupRefs.get(f.pfn) ?? 0) + (f.mapping.kind === "kernel" ? 1 : 0);
    if (f.refcount !== expected) return `page ${f.pfn} has refcount ${f.refcount} but ${expected} holder(s)`;
    if (f.refcount === 0) return `page ${f.pfn} is allocated with refcount 0`;
  }
  const recorded2 = /* @__PURE__ */ new Set();
  for (const r of s.records) {
    const key = `${r.device}:${r.mapping}`;
    if (recorded2.has(key)) return `device ${r.device}'s driver records mapping ${r.mapping} twice`;
    recorded2.add(key);
  }
  return null;
};

// properties/search.ts
var ViolationFound = class extends Error {
  constructor(violation, trace, moves) {
    super(`${violation.invariant}: ${violation.message}`);
    this.violation = violation;
    this.trace = trace;
    this.moves = moves;
  }
  violation;
  trace;
  moves;
};
var judge = (invariants2, call2) => {
  for (const inv of invariants2) {
    const r = inv.check(call2.before, call2.op, call2.step);
    if (O10.isSome(r)) return { invariant: inv.id, message: r.value };
  }
  return null;
};
var newStats = () => ({ calls: 0, exercised: /* @__PURE__ */ new Map() });
var plan = (move, s) => {
  const options = move.template.options(s);
  return options.length === 0 ? null : runPlan(s, options[move.choice % options.length]);
};
var execute = (m, move, calls, invariants2, stats) => {
  m.moves.push(move);
  for (const call2 of calls) {
    stats.calls++;
    for (const inv of invariants2)
      if (inv.exercised(call2.before, call2.op, call2.step)) stats.exercised.set(inv.id, (stats.exercised.get(inv.id) ?? 0) + 1);
    m.trace.push({ op: call2.op, events: call2.step.events });
    const bad = wellFormed(call2.step.state);
    if (bad !== null) throw new ModelBug(`model bug after ${formatOp(call2.op)}: ${bad}`);
    const v = judge(invariants2, call2);
    if (v !== null) throw new ViolationFound(v, [...m.trace], [...m.moves]);
    m.state = call2.step.state;
  }
};
var TemplateCommand = class {
  constructor(move, invariants2, stats) {
    this.move = move;
    this.invariants = invariants2;
    this.stats = stats;
  }
  move;
  invariants;
  stats;
  planned = null;
  /** The calls the command last ran, formatted only if fast-check displays the command. */
  ran = null;
  plan(s) {
    if (this.planned?.state !== s) this.planned = { state: s, calls: plan(this.move, s) };
    return this.planned.calls;
  }
  check(m) {
    return this.plan(m.state) !== null;
  }
  run(m) {
    const calls = this.plan(m.state);
    this.ran = calls;
    execute(m, this.move, calls, this.invariants, this.stats);
  }
  // Stryker disable next-line BlockStatement: toString() is only fast-check's display of a command; search() extracts just the replayPath comment fast-check appends
  toString() {
    return this.ran === null || this.ran.length === 0 ? `${this.move.template.name}[${this.move.choice}]` : this.ran.map((c) => formatOp(c.op)).join("; ");
  }
};
var rerun = (design, invariants2, moves, stats = newStats()) => {
  const m = { state: makeWorld(design.world), trace: [], moves: [] };
  try {
    for (const move of moves) {
      const calls = plan(move, m.state);
      if (calls !== null) execute(m, move, calls, invariants2, stats);
    }
  } catch (e) {
    if (e instanceof ViolationFound) return e;
    throw e;
  }
  return null;
};
var minimize = (design, invariants2, found, stats = newStats()) => {
  let best = found;
  const tryWithout = (drop2) => {
    const moves = best.moves.filter((_, i) => !drop2.includes(i));
    const r = rerun(design, invariants2, moves, stats);
    if (r === null || r.violation.invariant !== best.violation.invariant || r.trace.length >= best.trace.length) return false;
    best = r;
    return true;
  };
  for (let improved = true; improved; ) {
    improved = false;
    for (let i = 0; i < best.moves.length && !improved; i++) improved = tryWithout([i]);
    for (let i = 0; i < best.moves.length && !improved; i++)
      for (let j = i + 1; j < best.moves.length && !improved; j++) improved = tryWithout([i, j]);
  }
  return best;
};
var choice = fc.nat({ max: 65535 });
var commandsFor = (design, invariants2, stats, maxCommands, replayPath) => {
  const templates = [...design.driver, ...design.environment];
  const commands = (ts) => fc.commands(
    [
      fc.oneof(
        ...ts.map((template) => ({
          arbitrary: choice.map((c) => new TemplateCommand({ template, choice: c }, invariants2, stats)),
          weight: template.weight
        }))
      )
    ],
    { maxCommands, size: "max", ...replayPath === void 0 ? {} : { replayPath } }
  );
  if (design.searchSwarm !== true) return commands(templates);
  const optional = templates.filter((t) => t.role === "environment" && t.swarm !== false);
  return fc.noBias(fc.array(fc.boolean(), { minLength: optional.length, maxLength: optional.length })).chain((keep) => commands(templates.filter((t) => !optional.includes(t) || keep[optional.indexOf(t)] === true)));
};
var search = (design, invariants2, cfg) => {
  const initial = makeWorld(design.world);
  const [fcPath, replayPath] = cfg.path === void 0 ? [void 0, void 0] : cfg.path.split("@");
  const stats = newStats();
  const prop = fc.property(commandsFor(design, invariants2, stats, cfg.maxCommands, replayPath), (cmds) => {
    fc.modelRun(() => ({ model: { state: initial, trace: [], moves: [] }, real: {} }), cmds);
  });
  const t02 = performance.now();
  const out = fc.check(prop, { seed: cfg.seed, numRuns: cfg.runs, ...fcPath === void 0 ? {} : { path: fcPath } });
  if (!out.failed) {
    if (fcPath !== void 0) throw new Error("the replay path did not lead to a failing run");
    return { found: null, runs: out.numRuns, seed: cfg.seed, path: null, ms: performance.now() - t02, calls: stats.calls, exercised: stats.exercised };
  }
  if (!(out.errorInstance instanceof ViolationFound)) throw out.errorInstance;
  const found = minimize(design, invariants2, out.errorInstance, stats);
  const replay = /replayPath="([^"]*)"/.exec(String(out.counterexample?.[0] ?? ""))?.[1] ?? "";
  return { found, runs: out.numRuns, seed: cfg.seed, path: `${out.counterexamplePath ?? ""}@${replay}`, ms: performance.now() - t02, calls: stats.calls, exercised: stats.exercised };
};

// properties/verdicts.ts
var verdictsFor = (design, ids, cfg) => {
  const out = [];
  let remaining = [...ids];
  let path = cfg.path;
  while (remaining.length > 0) {
    const searched = remaining;
    const r = search(design, searched.map(invariantById), { ...cfg, path });
    path = void 0;
    if (r.found === null) {
      for (const id of searched)
        out.push({ design: design.id, invariant: id, verdict: "held", expected: design.expected[id].verdict, runs: r.runs, ms: r.ms, seed: r.seed, budget: cfg.runs, maxCommands: cfg.maxCommands, searched, exercised: r.exercised.get(id) ?? 0, violation: null });
      break;
    }
    const { invariant, message } = r.found.violation;
    out.push({
      design: design.id,
      invariant,
      verdict: "violated",
      expected: design.expected[invariant].verdict,
      runs: r.runs,
      ms: r.ms,
      seed: r.seed,
      budget: cfg.runs,
      maxCommands: cfg.maxCommands,
      searched,
      exercised: r.exercised.get(invariant) ?? 0,
      // Stryker disable next-line StringLiteral: search() sets path to a string whenever it found a violation (properties/search.ts), so the fallback is never used
      violation: { message, trace: r.found.trace, moves: r.found.moves.length, path: r.path ?? "" }
    });
    remaining = remaining.filter((id) => id !== invariant);
  }
  return ids.map((id) => out.find((v) => v.invariant === id));
};

// ../../tmp/entry2.ts
var t0 = performance.now();
for (const id of process.argv.slice(2)) {
  const d = designById(id);
  const t = performance.now();
  const v = verdictsFor(d, invariantIds, { seed: 2019, ...budgetOf(d, 1e4, 80) });
  console.log(id, v.map((x) => x.verdict[0]).join(""), ((performance.now() - t) / 1e3).toFixed(2));
}
console.log("total", ((performance.now() - t0) / 1e3).toFixed(2));

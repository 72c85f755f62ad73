/**
 * The viewer's drawings of the state, one entry of SECTIONS per kind of
 * object (in-page JavaScript, see html-script.ts). Each entry names the
 * top-level state fields it covers and draws them from the snapshot with
 * the helpers `card`, `el`, `live` and `byKey`. Anything it does not draw
 * of an item still shows on the item's card as `also: field=value`, and a
 * state field no entry covers is listed by the fallback: adding a kind of
 * state needs no change here until it deserves its own drawing.
 */
export const sectionsScript = String.raw`
  function range(start, n) { return n === 1 ? 'page ' + start : 'pages ' + start + '-' + (start + n - 1); }
  /* [start, end) of an address space, in words; an exit's or a fork's range runs to the end of the address space. */
  function pages(start, end) { return end >= 4503599627370496 ? (start === 0 ? 'the whole address space' : 'pages ' + start + ' to the end') : 'pages ' + start + '-' + (end - 1); }
  function frameName(snap, pfn) {
    var f = byKey(snap, 'frames', pfn);
    return 'pfn ' + pfn + (f && f.bar !== null && f.bar !== undefined ? ' (BAR ' + f.bar + ')' : f ? ' (RAM)' : '');
  }
  function backingText(b) {
    if (!b) return '?';
    if (b.kind === 'anon') return 'anonymous, private';
    if (b.kind === 'file') return 'file (inode ' + b.inode + '), shared';
    if (b.kind === 'file-private') return 'file (inode ' + b.inode + '), MAP_PRIVATE';
    if (b.kind === 'bar') return 'BAR ' + b.bar + ' window (VM_IO|VM_PFNMAP' + (b.window ? ', pfns ' + b.window.join(', ') : '') + ')';
    if (b.kind === 'p2pmem') return 'p2pmem of BAR ' + b.bar + ' (P2PDMA pages)';
    return show(b);
  }
  /* What the kernel path that started an invalidation does once its callbacks returned (mmu_notifier_invalidate_range_end), in kernel words. */
  function thenText(t) {
    if (!t) return '?';
    if (t.kind === 'munmap') return 'munmap destroys vma ' + t.vmas.join(', ') + ' (unmap_region)';
    if (t.kind === 'mprotect') return 'mprotect makes mm ' + t.mm + ' ' + pages(t.start, t.end) + (t.write ? ' writable' : ' read-only') + ' (change_protection)';
    if (t.kind === 'mremap_move') return 'mremap moves the page tables of vma ' + t.from + ' to vma ' + t.to + ' (move_page_tables)';
    if (t.kind === 'fork') return "fork copies mm " + t.mm + "'s page tables, write-protecting its copy-on-write PTEs (copy_page_range)";
    if (t.kind === 'page_mkclean') return 'writeback write-protects every PTE of pfn ' + t.pfn + ' (page_mkclean)';
    if (t.kind === 'wp_page_copy') return 'the write fault gives mm ' + t.mm + ' its own copy of page ' + t.addr + ' (wp_page_copy)';
    if (t.kind === 'exit_mmap') return 'exit tears down the address space of mm ' + t.mm + ' (exit_mmap)';
    if (t.kind === 'madvise_dontneed') return 'MADV_DONTNEED zaps mm ' + t.mm + ' ' + pages(t.start, t.end) + ' (zap_page_range_single)';
    if (t.kind === 'unmap_mapping_range') return "the removal of device " + t.dev + " zaps every user mapping of its BAR (unmap_mapping_range)";
    if (t.kind === 'reclaim') return 'reclaim unmaps pfn ' + t.pfn + ' (try_to_unmap: an anonymous page leaves a swap entry) and frees it unless a reference keeps it';
    if (t.kind === 'migrate_page') return 'migration moves pfn ' + t.pfn + ' to a new page (try_to_migrate)';
    return show(t);
  }
  /* Who reaches each frame, from every live object of the snapshot. */
  function reachers(snap) {
    var r = {};
    function add(pfn, what) { (r[pfn] = r[pfn] || []).push(what); }
    live(snap, 'vmas').forEach(function (i) {
      (i.value.ptes || []).forEach(function (p, k) {
        if (p && p.swap !== undefined) {
          var w = byKey(snap, 'swap', p.swap);
          if (w && w.cache !== null) add(w.cache, 'swap entry of vma ' + i.key + ' page ' + (i.value.start + k) + ' (swap cache of slot ' + p.swap + ')');
        } else if (p) add(p.pfn, 'PTE of vma ' + i.key + ' page ' + (i.value.start + k) + (p.writable ? ' (rw)' : ' (ro)'));
      });
    });
    live(snap, 'inodes').forEach(function (i) {
      (i.value.cache || []).forEach(function (pfn, k) { if (pfn !== null) add(pfn, 'page cache of inode ' + i.key + ' index ' + k); });
    });
    live(snap, 'pageArrays').forEach(function (i) { (i.value.pfns || []).forEach(function (pfn) { add(pfn, 'pages[] ' + i.key + ' (' + i.value.kind + ')'); }); });
    live(snap, 'sgls').forEach(function (i) {
      (i.value.entries || []).forEach(function (e, k) { if (e.page !== null) add(e.page, 'sgl ' + i.key + ' entry ' + k); });
    });
    live(snap, 'mappings').forEach(function (i) {
      (i.value.entries || []).forEach(function (e, k) { add(e.pfn, 'DMA mapping ' + i.key + ' entry ' + k + ' (device ' + i.value.device + ')'); });
    });
    live(snap, 'deviceRanges').forEach(function (i) {
      (i.value.entries || []).forEach(function (e, k) { add(e.pfn, 'device ' + i.value.device + ' page table (mapping ' + i.value.mapping + ' entry ' + k + ')'); });
    });
    return r;
  }

  var SECTIONS = [
    { title: 'Processes and their VMAs', covers: ['mms', 'vmas'], draw: function (snap) {
      var vmas = items(snap, 'vmas');
      function vmaCard(v) {
        var x = v.value;
        var rows = (x.ptes || []).map(function (p, k) {
          var what = !p ? 'not present' : p.swap !== undefined ? 'swap entry, slot ' + p.swap + (p.exclusive ? ' (exclusive)' : '') : '-> ' + frameName(snap, p.pfn) + (p.writable ? ', writable' : ', read-only');
          return el('li', {}, ['page ' + (x.start + k) + ': ' + what]);
        });
        return card(v, 'vma ' + v.key + ': ' + range(x.start, x.npages), [
          backingText(x.backing) + (x.writable === false ? ', read-only (no VM_WRITE)' : '') + (x.dontcopy ? ', VM_DONTCOPY' : '') +
            (x.anonVma !== null && x.anonVma !== undefined ? ', anon_vma ' + x.anonVma : ''),
          rows.length ? el('ul', { class: 'ptes', 'aria-label': 'page table entries' }, rows) : null,
        ], ['id', 'mm', 'start', 'npages', 'backing', 'shared', 'dontcopy', 'writable', 'anonVma', 'ptes']);
      }
      var mms = items(snap, 'mms').map(function (m) {
        var c = card(m, 'process mm ' + m.key, [
          (m.value.alive === false ? 'exited' : 'alive') + (m.value.hasPinned ? ', MMF_HAS_PINNED' : ''),
          'invalidate_seq ' + m.value.invalidateSeq + (m.value.invalidateSeq % 2 === 1 ? ' (odd: an invalidation is in progress)' : ''),
          m.value.users !== undefined ? 'mm_users ' + m.value.users + (m.value.mmapReaders ? ', mmap_read_lock held by ' + m.value.mmapReaders : '') : '',
        ], ['id', 'alive', 'hasPinned', 'invalidateSeq', 'users', 'mmapReaders']);
        var mine = vmas.filter(function (v) { return String(v.value.mm) === m.key; }).map(vmaCard);
        c.appendChild(mine.length ? el('div', { class: 'nest' }, mine) : el('div', { class: 'line none' }, ['no VMAs']));
        return c;
      });
      var mmKeys = items(snap, 'mms').map(function (m) { return m.key; });
      return mms.concat(vmas.filter(function (v) { return mmKeys.indexOf(String(v.value.mm)) < 0; }).map(vmaCard));
    } },
    { title: 'Physical frames: pages, references and pins', covers: ['frames'], draw: function (snap) {
      var by = reachers(snap);
      return [el('div', { class: 'grid' }, items(snap, 'frames').map(function (f) {
        var x = f.value;
        var mp = x.mapping || {};
        return card(f, frameName(snap, x.pfn), [
          x.free ? 'free' : 'allocated, gen ' + x.gen,
          x.structPage ? 'refcount ' + x.refcount + ', pincount ' + x.pincount + ', mapcount ' + x.mapcount : 'no struct page (raw MMIO)',
          [x.free || !x.structPage ? '' : x.dirty ? 'dirty' : 'clean', x.fsPrivate ? 'buffers attached' : mp.kind === 'file' ? 'no buffers' : '',
            mp.kind === 'file' ? 'file inode ' + mp.inode + ' index ' + mp.index : mp.kind && mp.kind !== 'none' ? mp.kind : ''].filter(Boolean).join(', '),
          x.deviceWroteSinceDirtied ? 'ghost: a device wrote it since the last set_page_dirty' : '',
          x.lostPins ? x.lostPins + ' lost pin(s): given back with put_page, still counted, held by nobody' : '',
          x.unheldRefs ? x.unheldRefs + ' reference(s), ' + x.unheldPins + ' pin(s) given back by callers that no longer held them: the counts are below the holders' : '',
          (by[x.pfn] || []).length ? el('ul', { class: 'reach', 'aria-label': 'reached by' }, by[x.pfn].map(function (w) { return el('li', {}, ['<- ' + w]); })) : '',
        ], ['pfn', 'bar', 'structPage', 'free', 'gen', 'refcount', 'pincount', 'mapcount', 'dirty', 'fsPrivate', 'mapping', 'deviceWroteSinceDirtied', 'lostPins', 'unheldRefs', 'unheldPins']);
      }))];
    } },
    { title: 'Devices and BARs', covers: ['devices', 'bars'], draw: function (snap) {
      return items(snap, 'devices').map(function (d) {
        return card(d, 'device ' + d.key + ': ' + d.value.name, [
          'peers: ' + ((d.value.p2pPeers || []).join(', ') || 'none'),
          d.value.driver ? 'driver code: ' + [['invalidate callback', 'invalidate'], ['map path', 'mapPath'], ['move_notify', 'moveNotify'], ['dma-buf map path', 'mapAttachment'], ['revoke', 'revoke'], ['request map path', 'mapRequest']].filter(function (k) { return d.value.driver[k[1]]; }).map(function (k) { return k[0] + ' ' + d.value.driver[k[1]]; }).join(', ') : 'no driver code modelled',
          'DMA: ' + (d.value.virtDma ? 'dma_virt_ops (the CPU copies through kernel virtual addresses)' : d.value.swiotlbForce ? 'must bounce (swiotlb force)' : d.value.iommuMergesSg ? 'behind an IOMMU that merges entries' : 'direct'),
          (d.value.iommuFaults || []).length ? 'fault injection: ' + d.value.iommuFaults.join(' and ') + ' of its IOMMU fail(s) with -ENOMEM' : '',
        ], ['id', 'name', 'p2pPeers', 'driver', 'swiotlbForce', 'iommuMergesSg', 'virtDma', 'iommuFaults']);
      }).concat(items(snap, 'bars').map(function (b) {
        var x = b.value;
        return card(b, 'BAR ' + b.key + ' of device ' + x.device, [
          'pfns ' + x.basePfn + '-' + (x.basePfn + x.npages - 1) + ', ' + (x.structPages ? 'P2PDMA pages (struct page)' : 'raw MMIO (no struct page)'),
          x.alive ? (x.removing ? 'provider being removed' : 'provider bound') : 'provider removed',
          x.pgmapRefs ? x.pgmapRefs + ' pgmap reference(s) held by no page: memunmap_pages() waits for them' : '',
        ], ['id', 'device', 'basePfn', 'npages', 'structPages', 'alive', 'removing', 'pgmapRefs']);
      }));
    } },
    { title: 'Page cache', covers: ['inodes'], draw: function (snap) {
      return items(snap, 'inodes').map(function (i) {
        return card(i, 'inode ' + i.key, (i.value.cache || []).map(function (pfn, k) {
          return 'index ' + k + ': ' + (pfn === null ? 'not cached' : '-> ' + frameName(snap, pfn));
        }), ['id', 'npages', 'cache']);
      });
    } },
    { title: 'GUP page arrays (references and pins held by drivers and pipes)', covers: ['pageArrays'], draw: function (snap) {
      return items(snap, 'pageArrays').map(function (a) {
        var x = a.value;
        return card(a, 'pages[] ' + a.key + ': ' + (x.pipe ? "a pipe's buffers (vmsplice, FOLL_GET)" : x.kind === 'pin' ? 'pin_user_pages (FOLL_PIN)' : 'get_user_pages (FOLL_GET)'), [
          'from mm ' + x.mm + ' vma ' + x.vma + ', ' + range(x.start, (x.pfns || []).length) + (x.write ? ', FOLL_WRITE' : '') + (x.longterm ? ', FOLL_LONGTERM' : ''),
          'holds ' + (x.pfns || []).map(function (p, k) { return frameName(snap, p) + ((x.cow || [])[k] ? ' (private mapping)' : '') + ((x.gens || [])[k] === -1 ? ' (stale: freed under this array)' : ''); }).join(', '),
        ], ['id', 'kind', 'mm', 'vma', 'cow', 'start', 'pfns', 'gens', 'write', 'longterm', 'pipe']);
      });
    } },
    { title: 'Scatterlist tables', covers: ['sgls'], draw: function (snap) {
      return items(snap, 'sgls').map(function (s) {
        var x = s.value;
        return card(s, 'sgl ' + s.key + (x.dmaOnly ? ' (DMA-only, no CPU side)' : ''), [
          x.pages !== null && x.pages !== undefined ? 'built from pages[] ' + x.pages : '',
          x.mapping !== null && x.mapping !== undefined ? 'addresses in mapping ' + x.mapping : '',
        ].concat((x.entries || []).map(function (e, k) { return 'entry ' + k + ': ' + (e.page === null ? 'no page' : '-> ' + frameName(snap, e.page)); })),
        ['id', 'entries', 'dmaOnly', 'pages', 'mapping']);
      });
    } },
    { title: 'DMA mappings and the frames they reach', covers: ['mappings'], draw: function (snap) {
      return items(snap, 'mappings').map(function (m) {
        var x = m.value;
        var o = x.origin || {};
        var from = o.kind === 'sgl' ? 'sgl ' + o.sgl : o.kind === 'vma-op' ? 'vma ' + o.vma + ' of mm ' + o.mm + ', ' + range(o.start, o.npages) : show(o);
        return card(m, 'mapping ' + m.key + ': ' + x.api + ' for device ' + x.device, [
          'direction ' + x.dir + ', from ' + from,
          el('ul', { class: 'reach', 'aria-label': 'entries' }, (x.entries || []).map(function (e, k) {
            var f = byKey(snap, 'frames', e.pfn);
            var stale = !f ? '' : f.free ? ' !! the frame is free now' : f.gen !== e.gen ? ' !! the frame was reallocated (gen ' + f.gen + ' now)' : '';
            return el('li', { class: stale ? 'stale' : '' }, ['entry ' + k + ': dma 0x' + Number(e.dma).toString(16) + ' -> ' + frameName(snap, e.pfn) + ', gen ' + e.gen + stale]);
          })),
        ], ['id', 'device', 'dir', 'api', 'origin', 'entries']);
      });
    } },
    { title: 'mmu interval notifiers', covers: ['notifiers'], draw: function (snap) {
      return items(snap, 'notifiers').map(function (n) {
        var x = n.value;
        return card(n, 'notifier ' + n.key + ' of device ' + x.owner, ['mm ' + x.mm + ', pages ' + x.start + '-' + (x.end - 1) + ', sequence ' + x.seq],
          ['id', 'mm', 'start', 'end', 'owner', 'seq']);
      });
    } },
    { title: 'Invalidations in progress', covers: ['invalidations'], draw: function (snap) {
      return items(snap, 'invalidations').map(function (i) {
        var x = i.value;
        return card(i, 'invalidation ' + i.key + ': ' + x.event, [
          (x.ranges || []).map(function (r) { return 'mm ' + r.mm + ' ' + pages(r.start, r.end); }).join('; '),
          x.mmapLocked !== null && x.mmapLocked !== undefined ? 'the path holds mmap_write_lock of mm ' + x.mmapLocked : 'no mmap_lock held',
          x.running !== null && x.running !== undefined ? 'callback running as thread ' + x.running : 'no callback running',
          (x.queue || []).length ? 'still to call: notifier ' + x.queue.join(', ') : 'no callbacks left to call',
          'then: ' + thenText(x.then),
        ], ['id', 'event', 'ranges', 'mmapLocked', 'queue', 'running', 'then']);
      });
    } },
    { title: 'Driver threads (callbacks and map paths) and what each driver recorded', covers: ['threads', 'driverLocks', 'records'], draw: function (snap) {
      var locks = items(snap, 'driverLocks');
      var records = items(snap, 'records');
      return items(snap, 'threads').map(function (t) {
        var x = t.value;
        return card(t, 'thread ' + t.key + ': ' + x.recipe + ' on device ' + x.device, [
          (x.moveNotify !== undefined ? 'move_notify of attachment ' + x.attachment + ', called by the exporter of dma-buf ' + x.dmabuf + ' holding its reservation lock' : x.attachment !== undefined ? 'dma-buf map path of attachment ' + x.attachment : x.dmabuf !== undefined ? "the exporter's revoke of dma-buf " + x.dmabuf : x.inv !== null && x.inv !== undefined ? 'invalidate callback of notifier ' + x.notifier + ' for invalidation ' + x.inv + ', cur_seq ' + x.curSeq : 'map path of notifier ' + x.notifier) + ', at step ' + x.pc,
          x.range ? (x.inv !== null && x.inv !== undefined ? 'told to invalidate' : 'maps') + ' mm ' + x.range.mm + ' ' + pages(x.range.start, x.range.end) + (x.event ? ' (' + x.event + ')' : '') : '',
          x.vma ? 'find_vma gave vma ' + x.vma.vma : '',
          x.seq !== null && x.seq !== undefined ? 'seq ' + x.seq + ' from mmu_interval_read_begin' : '',
          x.mapping !== null && x.mapping !== undefined ? 'holds the addresses of mapping ' + x.mapping : '',
          x.retry !== null && x.retry !== undefined ? 'mmu_interval_read_retry said ' + x.retry : '',
          x.stale ? 'ghost: a callback returned after it took its addresses' : '',
          x.request ? 'maps the request of pages[] ' + x.request.pages + ' (' + x.request.npages + ' page(s))' + (x.iova !== undefined ? ' into IOVA ' + x.iova + ', ' + x.mapped + ' linked' : '') : '',
        ], ['id', 'device', 'recipe', 'pc', 'notifier', 'inv', 'curSeq', 'range', 'event', 'vma', 'seq', 'mapping', 'entries', 'retry', 'stale', 'attachment', 'dmabuf', 'moveNotify', 'pinned', 'request', 'iova', 'mapped']);
      }).concat(records.map(function (r) {
        var x = r.value;
        return card(r, 'device ' + x.device + "'s driver records mapping " + x.mapping, ['under notifier ' + x.notifier + ', vma ' + x.vma + ' of mm ' + x.mm + ' pages ' + x.start + '-' + (x.end - 1)], ['device', 'notifier', 'mapping', 'vma', 'mm', 'start', 'end']);
      })).concat(locks.map(function (l) {
        // driverLocks is a list of device ids: each item is one held lock (removed: just released).
        return card(l, "device " + l.value + "'s driver lock " + (l.mark === 'removed' ? 'released' : 'held'), [], []);
      }));
    } },
    { title: 'dma-bufs, their attachments and what each importer kept', covers: ['dmaBufs', 'attachments', 'sgtRecords', 'jobs'], draw: function (snap) {
      return items(snap, 'dmaBufs').map(function (b) {
        var x = b.value;
        return card(b, 'dma-buf ' + b.key + ' exported by device ' + x.exporter + ' from BAR ' + x.bar, [
          'frames: ' + (x.pfns || []).map(function (p) { return frameName(snap, p); }).join(', '),
          x.resv !== null && x.resv !== undefined ? "reservation lock held by device " + x.resv + "'s driver" : 'reservation lock free',
          x.revoked ? 'revoked: the exporter refuses new mappings' : '',
        ], ['id', 'exporter', 'bar', 'pfns', 'resv', 'revoked']);
      }).concat(items(snap, 'attachments').map(function (a) {
        var x = a.value;
        return card(a, 'attachment ' + a.key + ' of dma-buf ' + x.dmabuf + ' by device ' + x.importer, [
          (x.peer2peer ? 'allow_peer2peer' : 'no peer2peer') + (x.pins ? ', pinned (dma_buf_pin)' : ''),
        ], ['id', 'dmabuf', 'importer', 'peer2peer', 'pins']);
      })).concat(items(snap, 'sgtRecords').map(function (r) {
        var x = r.value;
        return card(r, 'device ' + x.device + "'s driver keeps the table of attachment " + x.attachment, ['mapping ' + x.mapping + ' of dma-buf ' + x.dmabuf + (x.pinned ? ', pinned' : '')], ['device', 'attachment', 'dmabuf', 'mapping', 'pinned']);
      })).concat(items(snap, 'jobs').map(function (j) {
        var x = j.value;
        return card(j, (x.fenced ? 'fenced job ' : 'memory region ') + j.key + ' of device ' + x.device, ['uses mapping ' + x.mapping + ' of dma-buf ' + x.dmabuf + (x.fenced ? ': its fence has not signalled' : ': until the driver zaps it')], ['id', 'device', 'dmabuf', 'mapping', 'entries', 'fenced']);
      }));
    } },
    { title: 'IOVA ranges (the two-step DMA API) and their translations', covers: ['iovas'], draw: function (snap) {
      return items(snap, 'iovas').map(function (v) {
        var x = v.value;
        return card(v, 'IOVA ' + v.key + ' of device ' + x.device + (x.allocated ? '' : ' (freed: its translations stay in the IOMMU)'), [
          x.owner && x.owner.kind === 'request' ? 'for the request of pages[] ' + x.owner.pages : x.owner && x.owner.mapping !== null ? 'the IOVA of table (mapping) ' + x.owner.mapping : 'its dma_iova_state was freed without a table',
          x.handed ? 'the device was handed pages 0-' + (x.handed.npages - 1) + ', ' + x.handed.dir : 'not handed to the device',
          el('ul', { class: 'reach', 'aria-label': 'links' }, (x.links || []).map(function (l, k) {
            if (l === null) return el('li', {}, ['page ' + k + ': not linked']);
            var f = byKey(snap, 'frames', l.pfn);
            var stale = !f ? '' : f.free ? ' !! the frame is free now' : f.gen !== l.gen ? ' !! the frame was reallocated (gen ' + f.gen + ' now)' : '';
            return el('li', { class: stale ? 'stale' : '' }, ['page ' + k + ': -> ' + frameName(snap, l.pfn) + ', ' + l.dir + (l.synced ? ', synced' : ', not synced') + stale]);
          })),
        ], ['id', 'device', 'owner', 'links', 'allocated', 'handed']);
      });
    } },
    { title: 'Swap slots and the swap cache', covers: ['swap'], draw: function (snap) {
      return items(snap, 'swap').filter(function (w) { return w.value !== null && w.value !== undefined; }).map(function (w) {
        var x = w.value;
        return card(w, 'swap slot ' + w.key, [
          x.count + ' swap entr' + (x.count === 1 ? 'y names' : 'ies name') + ' it',
          x.cache === null ? 'its data is on the swap device only' : 'in the swap cache as ' + frameName(snap, x.cache) + ' (which the cache holds a reference to)',
        ], ['count', 'cache']);
      });
    } },
    { title: 'Device page tables (what a driver programmed)', covers: ['deviceRanges'], draw: function (snap) {
      return items(snap, 'deviceRanges').map(function (r) {
        var x = r.value;
        return card(r, 'device ' + x.device + ' reaches mm ' + x.mm + ' pages ' + x.start + '-' + (x.end - 1), [
          'from ' + (x.streaming ? 'streaming (dma_map_sg) ' : '') + 'mapping ' + x.mapping + ', direction ' + x.dir,
          el('ul', { class: 'reach', 'aria-label': 'entries' }, (x.entries || []).map(function (e, k) {
            var f = byKey(snap, 'frames', e.pfn);
            var stale = !f ? '' : f.free ? ' !! the frame is free now' : f.gen !== e.gen ? ' !! the frame was reallocated (gen ' + f.gen + ' now)' : '';
            return el('li', { class: stale ? 'stale' : '' }, ['entry ' + k + ': dma 0x' + Number(e.dma).toString(16) + ' -> ' + frameName(snap, e.pfn) + stale]);
          })),
        ], ['id', 'device', 'mapping', 'mm', 'start', 'end', 'dir', 'entries', 'streaming']);
      });
    } },
    { title: 'Kernel era and world bounds', covers: ['era', 'bounds', 'topology', 'forkSteps', 'nextId'], draw: function (snap) {
      return items(snap, 'era').map(function (e) {
        return card(e, 'switches', Object.keys(e.value).map(function (k) { return k + ': ' + (e.value[k] ? 'on' : 'off'); }), Object.keys(e.value));
      }).concat(items(snap, 'bounds').map(function (b) {
        return card(b, 'world bounds', Object.keys(b.value).map(function (k) { return k + ': ' + b.value[k]; }), Object.keys(b.value));
      })).concat(items(snap, 'topology').filter(function (t) { return t.value !== null; }).map(function (t) {
        return card(t, 'PCI topology', (t.value.slots || []).map(function (slot, i) {
          return 'device ' + i + ': ' + (slot.switch !== undefined ? 'below switch ' + slot.switch + (t.value.switches[slot.switch].acsRedirect ? ' (ACS redirect)' : '') : 'on a root port') + ' of host bridge ' + (slot.switch !== undefined ? t.value.switches[slot.switch].hostBridge : slot.hostBridge);
        }), ['hostBridges', 'switches', 'slots']);
      })).concat(items(snap, 'forkSteps').filter(function (f) { return f.value === true; }).map(function (f) {
        return card(f, 'fork in two steps', ['copy_page_range checks and copies, then ptep_set_wrprotect write-protects the parent'], []);
      })).concat(items(snap, 'nextId').map(function (n) { return card(n, 'next id ' + n.value, [], []); }));
    } },
  ];
`;

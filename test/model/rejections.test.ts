/**
 * The rejection rule of docs/model.md, enumerated.
 *
 * (a) A static scan of model/: every `reject(`, `illFormed(` and `waits(`
 * call, what its reason starts with, and for a reason passed through from
 * a helper, the helper's own reason literals. The census below is the list
 * of sites: a new rejection site fails this test until it is added here,
 * with the error it names.
 *
 * (b) For every op kind, inputs the model rejects and the error the kernel
 * returns there (the kernel function is in the test name), and for the
 * ops the kernel never refuses, a misuse that is accepted as a step.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { peekThread } from '../../model/driver-thread.ts';
import { opArgs, type Op, type OpKind } from '../../model/op.ts';
import { zeroPfn } from '../../model/page.ts';
import { namesAnError } from '../../model/result.ts';
import type { State } from '../../model/state.ts';
import { currentEra, era59, makeWorld } from '../../model/world.ts';
import {
  IMPORTER,
  ISOLATED,
  P2PDMA_BAR,
  P2PDMA_BASE,
  P2PDMA_PROVIDER,
  RAM_PAGES,
  RAW_BAR,
  RAW_BASE,
  RAW_EXPORTER,
  accept,
  callbackThread,
  designWorld,
  gup,
  lastId,
  mmapAnon,
  mmapBar,
  mmapFile,
  mmapP2pmem,
  munmapVma,
  pin,
  rejectedWith,
  run,
  runThread,
  world,
  worldSpec,
  writeFault,
} from './helpers.ts';

/** pin_user_pages_fast(FOLL_WRITE) of one page at `start` of mm 0. */
const pinFast = (start: number): Op => ({ kind: 'pin_user_pages_fast', mm: 0, start, npages: 1, write: true, longterm: false, p2pdma: false });

/** The test world with fork's copy_page_range in two steps (a GUP-fast can run between them). */
const forkStepsWorld = (): State => makeWorld({ ...worldSpec(), forkSteps: true });

// ---------------------------------------------------------------------------
// (a) the static scan

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const tsFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
    });

/**
 * `src` with comments blanked and the text of string and template literals
 * replaced by '_' (quotes, backticks and the `${ }` of substitutions kept,
 * newlines kept), so call sites and argument commas can be found by index.
 */
const mask = (src: string): string => {
  const out = src.split('');
  const blank = (i: number, c: string): void => {
    if (i < out.length && out[i] !== '\n') out[i] = c;
  };
  const outer: number[] = []; // brace depth of the code around each open `${`
  let depth = 0;
  let template = false;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const d = src[i + 1];
    if (template) {
      if (c === '\\') {
        blank(i, '_');
        blank(i + 1, '_');
        i += 2;
      } else if (c === '`') {
        template = false;
        i++;
      } else if (c === '$' && d === '{') {
        outer.push(depth);
        depth = 0;
        template = false;
        i += 2;
      } else blank(i++, '_');
      continue;
    }
    if (c === '/' && d === '/') {
      while (i < src.length && src[i] !== '\n') blank(i++, ' ');
    } else if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      while (i < stop) blank(i++, ' ');
    } else if (c === "'" || c === '"') {
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') blank(i++, '_');
        blank(i++, '_');
      }
      i++;
    } else if (c === '`') {
      template = true;
      i++;
    } else if (c === '}' && depth === 0 && outer.length > 0) {
      depth = outer.pop()!;
      template = true;
      i++;
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      i++;
    }
  }
  return out.join('');
};

/** The arguments of the call whose '(' is at `open` in `masked`, as [start, end) ranges. */
const argRanges = (masked: string, open: number): ReadonlyArray<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      ranges.push([start, i]);
      start = i + 1;
    } else if (c === ')' && depth === 0) {
      ranges.push([start, i]);
      return ranges;
    }
  }
  throw new Error(`unclosed call at ${open}`);
};

/** The static text a string or template literal expression starts with, or null when `expr` does not start with a literal. */
const literalHead = (expr: string): string | null => {
  const q = expr[0];
  if (q === '`') {
    const sub = expr.indexOf('${');
    const close = expr.indexOf('`', 1);
    return expr.slice(1, sub < 0 ? close : Math.min(sub, close));
  }
  if (q === "'" || q === '"') return expr.slice(1, expr.indexOf(q, 1));
  return null;
};

const ERROR_PREFIX = /^(-E[A-Z]+|returns (?:0|NULL|false)|DMA_MAPPING_ERROR|SIG(?:SEGV|BUS)|ill-formed): /;

/** What a reason literal starts with: the error (`-EINVAL`, `returns NULL`, `SIGSEGV`, `ill-formed`), or `NO ERROR: <head>`. */
const label = (head: string): string => {
  // A helper's reason that says the call sleeps (faultIn on a locked page): its caller passes it on as a wait.
  if (head.startsWith('waits: ')) return 'waits';
  const m = ERROR_PREFIX.exec(head);
  return m !== null && namesAnError(head) ? m[1]! : `NO ERROR: ${head}`;
};

interface Site {
  readonly file: string;
  readonly line: number;
  readonly label: string;
}

const lineOf = (src: string, at: number): number => src.slice(0, at).split('\n').length;

/** Every reject/illFormed/waits call of one file, with the error its reason names (`via <expr>` when it is passed through). */
const sitesOf = (file: string, src: string): ReadonlyArray<Site> => {
  const masked = mask(src);
  const sites: Site[] = [];
  for (const m of masked.matchAll(/(?<![\w$.])(reject|illFormed|waits)\(/g)) {
    const open = m.index + m[0].length - 1;
    const args = argRanges(masked, open);
    const r = args[1];
    if (r === undefined) throw new Error(`${file}:${lineOf(src, m.index)}: ${m[1]} with no reason`);
    const expr = src.slice(r[0], r[1]).trim();
    const head = literalHead(expr);
    const at = { file, line: lineOf(src, m.index) };
    if (m[1] === 'waits') sites.push({ ...at, label: 'waits' });
    else if (m[1] === 'illFormed') sites.push({ ...at, label: 'ill-formed' });
    else if (head === null) sites.push({ ...at, label: `via ${expr}` });
    // reject() with an ill-formed or waits reason must use illFormed() or waits()
    else sites.push({ ...at, label: head.startsWith('ill-formed: ') || head.startsWith('waits: ') ? `USE illFormed/waits: ${head}` : label(head) });
  }
  return sites;
};

/** The text of top-level declaration `name` in `src` (to the next top-level declaration). */
const declaration = (src: string, name: string): { readonly start: number; readonly end: number } => {
  const masked = mask(src);
  const m = new RegExp(`^(?:export )?const ${name}\\b`, 'm').exec(masked);
  if (m === null) throw new Error(`no declaration of ${name}`);
  const next = /\n(?=export |const |type |interface )/g;
  next.lastIndex = m.index + 1;
  const n = next.exec(masked);
  return { start: m.index, end: n === null ? src.length : n.index };
};

/** The reason literals a helper returns: `return <literal>`, `E.left(<literal>)`, `reason: <literal>`. */
const helperReasons = (src: string, name: string): ReadonlyArray<string> => {
  const { start, end } = declaration(src, name);
  const masked = mask(src).slice(0, end);
  const heads: string[] = [];
  const ctx = /(?<![\w$.])(?:return |E\.left\(|reason: )\s*(?=[`'"])/g;
  ctx.lastIndex = start;
  for (let m = ctx.exec(masked); m !== null; m = ctx.exec(masked)) heads.push(literalHead(src.slice(m.index + m[0].length))!);
  return heads;
};

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/**
 * The census of rejection sites, file by file in source order: the error
 * each reason names, `ill-formed`, `waits`, or `via <expr>` for a reason a
 * helper made (listed in PASSED_THROUGH). Add a new site here on purpose.
 */
const SITES: Readonly<Record<string, ReadonlyArray<string>>> = {
  'model/driver-thread.ts': ['ill-formed', 'ill-formed', 'waits'],
  'model/ops/continuation.ts': ['ill-formed', 'waits', 'waits'],
  'model/ops/cpu.ts': ['ill-formed', 'waits', 'SIGSEGV', 'waits', 'via r.left'],
  'model/ops/dma-only-sgl.ts': ['ill-formed', '-EFAULT', '-EFAULT', '-EINVAL', 'via r', 'via pinned.left', '-EREMOTEIO', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/dma-page.ts': ['ill-formed', 'ill-formed', 'DMA_MAPPING_ERROR', 'ill-formed', 'ill-formed'],
  'model/ops/dmabuf.ts': [
    'ill-formed', 'ill-formed', 'ill-formed', '-ENODEV', 'ill-formed', 'ill-formed', 'ill-formed', '-EOPNOTSUPP', '-ENODEV', 'ill-formed', '-EOPNOTSUPP', 'ill-formed', 'ill-formed', 'waits', 'ill-formed', 'ill-formed', '-ENODEV', '-EINVAL', '-ENOMEM',
    'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'waits', 'ill-formed',
  ],
  'model/ops/dmabuf-phys.ts': ['-ENOMEM', '-EEXIST', '-ENOMEM'],
  'model/ops/dmabuf-importer.ts': ['ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/dma.ts': ['ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'via a', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/gup.ts': ['via r.left', 'via r.left', '-EFAULT', 'waits', 'waits', 'via r.left', 'ill-formed', 'via a', 'via a', 'via a', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'via r.left', 'ill-formed'],
  'model/ops/hmm.ts': ['-EFAULT', 'ill-formed', 'ill-formed', 'waits', 'waits', '-EBUSY', '-EFAULT', '-EFAULT', 'waits', '-EPERM', 'ill-formed', 'waits', 'waits'],
  'model/ops/importer.ts': ['ill-formed', 'waits', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/memory.ts': ['via l.reason', 'waits', 'via busy', 'returns 0', 'ill-formed', 'via l.reason', 'waits', 'via busy', '-ENOMEM', '-EAGAIN', 'via l.reason', 'waits', 'waits', 'returns false'],
  'model/ops/mirror.ts': ['ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/mm-users.ts': ['ill-formed', 'returns false', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'waits', 'ill-formed', 'ill-formed', 'ill-formed', 'returns NULL'],
  'model/ops/mm.ts': [
    'ill-formed',
    'ill-formed', 'waits', '-EINVAL', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', '-ENODEV', '-ENOMEM',
    'ill-formed', '-EINVAL', 'waits',
    'ill-formed', 'waits', 'waits',
    'ill-formed', 'waits', 'waits', 'via copied',
    'ill-formed',
    'ill-formed', 'waits', 'SIGSEGV', 'SIGSEGV', 'ill-formed', 'waits', 'via w.left', 'via r.left',
  ],
  'model/ops/mprotect.ts': ['ill-formed', 'waits', '-ENOMEM'],
  'model/ops/iova.ts': [
    'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'returns false', 'ill-formed', 'ill-formed', '-EEXIST', '-ENOMEM', 'ill-formed', '-ENOMEM',
    'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed',
  ],
  'model/ops/clear-refs.ts': ['ill-formed', 'ill-formed', 'waits', 'waits'],
  'model/ops/madvise.ts': ['ill-formed', 'waits', '-ENOMEM', '-EINVAL', '-EINVAL'],
  'model/ops/mremap.ts': ['ill-formed', '-EINVAL', 'ill-formed', 'waits', '-EFAULT', '-EINVAL', 'ill-formed', '-EFAULT', '-EFAULT', '-ENOMEM'],
  'model/ops/notifier.ts': ['ill-formed', 'ill-formed', '-EOVERFLOW', '-EINVAL', 'ill-formed', 'waits', 'ill-formed', 'waits', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/p2p-vma-ops.ts': ['-EFAULT', 'waits', '-EPERM', 'via r', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/ops/p2pdma.ts': ['ill-formed', 'returns NULL', 'ill-formed', 'returns NULL', 'returns NULL', 'returns NULL', 'ill-formed', 'ill-formed', 'returns 0', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'waits', 'waits', 'waits'],
  'model/ops/scatterlist.ts': ['-EINVAL', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'],
  'model/step.ts': ['ill-formed'],
};

/** The helpers whose reasons a `via` site passes on, where they are, and the errors of their reason literals in source order. */
const HELPERS: Readonly<Record<string, { readonly file: string; readonly reasons: ReadonlyArray<string> }>> = {
  faultAnon: { file: 'model/ops/fault.ts', reasons: ['-ENOMEM'] },
  faultFile: { file: 'model/ops/fault.ts', reasons: [] },
  // The COW copy (faultAnon's wp_page_copy, the private file mapping's do_cow_fault) and filemap_fault.
  mapCopy: { file: 'model/ops/fault.ts', reasons: ['-ENOMEM'] },
  filemapFault: { file: 'model/ops/fault.ts', reasons: ['SIGBUS', '-ENOMEM'] },
  faultIn: { file: 'model/ops/fault.ts', reasons: ['waits', 'SIGBUS'] },
  swapIn: { file: 'model/ops/swap.ts', reasons: ['-ENOMEM'] },
  // gup() also passes faultIn's reasons on, a SIGBUS as -EFAULT.
  gup: { file: 'model/ops/gup.ts', reasons: ['-EFAULT', 'waits', 'returns 0', '-EINVAL', '-EFAULT', '-EFAULT', '-EFAULT', '-EREMOTEIO', '-EFAULT', '-ENOMEM'] },
  held: { file: 'model/ops/gup.ts', reasons: ['ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'] },
  isolated: { file: 'model/ops/memory.ts', reasons: ['-EBUSY'] },
  lruPage: { file: 'model/ops/memory.ts', reasons: ['ill-formed', '-EBUSY', 'returns 0', '-EBUSY', '-EBUSY'] },
  pageCachePage: { file: 'model/ops/memory.ts', reasons: ['ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed', 'ill-formed'] },
  forkCopy: { file: 'model/ops/mm.ts', reasons: ['-ENOMEM'] },
  dmaMapSg: { file: 'model/ops/dma.ts', reasons: ['returns 0', 'returns 0'] },
  pciP2pdmaMapSg: { file: 'model/ops/p2pdma.ts', reasons: [] },
  exporterMap: { file: 'model/ops/p2p-vma-ops.ts', reasons: ['ill-formed', 'ill-formed', '-ENODEV', '-EREMOTEIO', '-EFAULT'] },
};

/** Which helpers made the reason of each `via` site (file and expression). */
const PASSED_THROUGH: Readonly<Record<string, ReadonlyArray<keyof typeof HELPERS>>> = {
  'model/ops/cpu.ts r.left': ['faultIn', 'faultAnon', 'faultFile', 'mapCopy', 'filemapFault', 'swapIn'],
  'model/ops/dma.ts a': ['dmaMapSg', 'pciP2pdmaMapSg'],
  'model/ops/dma-only-sgl.ts r': ['exporterMap'],
  'model/ops/dma-only-sgl.ts pinned.left': ['gup', 'faultIn', 'faultAnon', 'faultFile', 'mapCopy', 'filemapFault', 'swapIn'],
  'model/ops/gup.ts r.left': ['gup', 'faultIn', 'faultAnon', 'faultFile', 'mapCopy', 'filemapFault', 'swapIn'],
  'model/ops/gup.ts a': ['held'],
  'model/ops/memory.ts busy': ['isolated'],
  'model/ops/memory.ts l.reason': ['lruPage', 'pageCachePage'],
  'model/ops/mm.ts copied': ['forkCopy'],
  'model/ops/mm.ts r.left': ['faultIn', 'faultAnon', 'faultFile', 'mapCopy', 'filemapFault', 'swapIn'],
  'model/ops/mm.ts w.left': ['swapIn'],
  'model/ops/p2p-vma-ops.ts r': ['exporterMap'],
};

// Under StrykerJS (vitest.mutate.config.ts sets DMACHECK_MUTATE) the sources on
// disk are the instrumented ones, so a scan of their text would judge Stryker's
// rewriting, not the model: the scan runs in npm test only.
describe.skipIf(process.env.DMACHECK_MUTATE === '1')('the rejection sites of model/ (static scan)', () => {
  // result.ts defines reject, illFormed and waits.
  const files = tsFiles(join(ROOT, 'model'))
    .map((p) => relative(ROOT, p).split('\\').join('/'))
    .filter((f) => f !== 'model/result.ts');
  const sites = files.flatMap((f) => sitesOf(f, read(f)));

  it('the masker blanks comments and literal text but keeps substitutions, so only real calls are found', () => {
    const src = "a(`x ${reject(o, 'y')} z`, '(') // reject(o, 'q')\n/* waits(o, 'w') */ b";
    const m = mask(src);
    expect(m).toHaveLength(src.length);
    expect([...m.matchAll(/(?<![\w$.])(reject|illFormed|waits)\(/g)].map((x) => x[1])).toEqual(['reject']);
    expect(sitesOf('t.ts', "reject(op, `-EFAULT: ${x}`); reject(op, 'page is clean'); reject(op, `ill-formed: x`); reject(op, r.left); waits(op, 'w');").map((s) => s.label)).toEqual([
      '-EFAULT',
      'NO ERROR: page is clean',
      'USE illFormed/waits: ill-formed: x',
      'via r.left',
      'waits',
    ]);
  });

  it('finds every site: the census lists each file and the error each of its sites names', () => {
    const census: Record<string, string[]> = {};
    for (const s of sites) (census[s.file] ??= []).push(s.label);
    expect(census).toEqual(SITES);
    expect(sites.length).toBe(Object.values(SITES).reduce((n, l) => n + l.length, 0));
  });

  it('every literal reason of reject() names the error the kernel returns (namesAnError), and ill-formed or waits reasons go through illFormed() or waits()', () => {
    const bad = sites.filter((s) => s.label.startsWith('NO ERROR') || s.label.startsWith('USE '));
    expect(bad.map((s) => `${s.file}:${s.line}: ${s.label}`)).toEqual([]);
  });

  it('every reason passed through from a variable comes from a helper listed here', () => {
    const via = sites.filter((s) => s.label.startsWith('via ')).map((s) => `${s.file} ${s.label.slice('via '.length)}`);
    expect([...new Set(via)].sort()).toEqual(Object.keys(PASSED_THROUGH).sort());
    expect([...new Set(Object.values(PASSED_THROUGH).flat())].sort()).toEqual(Object.keys(HELPERS).sort());
  });

  for (const [name, h] of Object.entries(HELPERS)) {
    it(`${name} (${h.file}): every reason it returns names an error or says ill-formed`, () => {
      const heads = helperReasons(read(h.file), name);
      expect(heads.map(label)).toEqual(h.reasons);
    });
  }
});

// ---------------------------------------------------------------------------
// (b) each op kind: inputs that are rejected, with the error

/** One rejected input. `op.kind` is checked against the table's key when the test runs (the builders return plain `Op`s). */
interface Case {
  /** What the kernel does there, naming its function: the test's name. */
  readonly kernel: string;
  readonly state: () => State;
  readonly op: Op;
  /** The exact start of the reason. */
  readonly reason: string;
}

const NOTIFIER_DESIGN = 'vma-p2p-map-notifier';

/** mm 0 maps the design's raw BAR (vma at page 0) and the importer's driver subscribes a notifier over it. */
const subscribed = (design = NOTIFIER_DESIGN): State =>
  run(designWorld(design), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }).state;

/** munmap of that VMA has started: its callback thread runs, munmap holds mmap_write_lock of mm 0. */
const unmapping = (design = NOTIFIER_DESIGN): { readonly state: State; readonly thread: number } => {
  const s = subscribed(design);
  const r = run(s, munmapVma(s, lastId(s.vmas)));
  return { state: r.state, thread: callbackThread(r.events) };
};

/** An anonymous page (pfn 0) of mm 0 under the importer's notifier 2 (seq 1). */
const mirroredAnon = (): State => run(world(), mmapAnon(1), writeFault(0), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state;

/** An anon page fork left shared copy-on-write, under the importer's notifier (its id: COW_NOTIFIER). */
const cowShared = (): State => run(world(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state;
const COW_NOTIFIER = lastId(cowShared().notifiers);

/**
 * hmm-mirror-noretry's map path (thread 3) got pfn 0 from hmm_range_fault and
 * dropped mmap_lock; then migration moved the page, its callback (which found
 * nothing to zap) returned and the invalidation ended. The map path takes its
 * driver lock next.
 */
const mirrorOvertaken = (design = 'hmm-mirror-noretry'): State => {
  let s = run(designWorld(design), mmapAnon(1), writeFault(0), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, { kind: 'driver_map_range', dev: IMPORTER, notifier: 2 }).state;
  for (let i = 0; i < 5; i++) s = run(s, peekThread(s, 3)!).state;
  const m = run(s, { kind: 'migrate_page', page: 0 });
  const r = runThread(m.state, callbackThread(m.events));
  return run(r.state, { kind: 'mmu_notifier_invalidate_range_end', inv: 4 }, { kind: 'driver_lock', dev: IMPORTER, by: 3 }).state;
};

/** Two anonymous pages (pfns 0, 1) held by get_user_pages, in a table. */
const table = (): State => {
  const s = run(world(), mmapAnon(2), gup(0, 2, true)).state;
  return run(s, { kind: 'sg_alloc_table_from_pages', pages: lastId(s.pageArrays) }).state;
};

/** That table mapped for the importer (to-device). */
const mapped = (): State => {
  const s = table();
  return run(s, { kind: 'dma_map_sg', dev: IMPORTER, sgl: lastId(s.sgls), dir: 'to-device' }).state;
};

/** A one-entry table holding an allocated P2PDMA page. */
const p2pTable = (): State => {
  const s = run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'sg_alloc_table', nents: 1 }).state;
  return run(s, { kind: 'sg_set_page', sgl: lastId(s.sgls), index: 0, page: P2PDMA_BASE }).state;
};

/** The importer holds a p2p_map mapping of mm 0's raw BAR window. */
const p2pMapped = (): State => {
  const s = run(world(), mmapBar(1)).state;
  return run(s, { kind: 'p2p_map', vma: lastId(s.vmas), dev: IMPORTER, write: true }).state;
};

/** A DMA-only table from sgl_dma_map_user of an anonymous page. */
const dmaOnly = (): State => run(world(), mmapAnon(1), { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: 0, npages: 1, dir: 'to-device' }).state;

/** One page of `mmap` (vma 1) pinned for write (pages 2), in a table (sgl 3) mapped DMA_FROM_DEVICE (mapping 4) that the device wrote. */
const deviceWrote = (mmap: Op): State => {
  const s = run(world(), mmap, pin(0, 1, true)).state;
  return run(s, { kind: 'sg_alloc_table_from_pages', pages: 2 }, { kind: 'dma_map_sg', dev: IMPORTER, sgl: 3, dir: 'from-device' }, { kind: 'device_write', mapping: 4, index: 0 }).state;
};

const exited = (): State => run(world(), { kind: 'exit_mmap', mm: 0 }).state;
const oneRamPage = (): State => makeWorld({ ...worldSpec(currentEra), ramPages: 1 });
const anonFaulted = (): State => run(world(), mmapAnon(1), writeFault(0)).state;
const dirtyFilePage = (): State => run(world(), mmapFile(1), writeFault(0)).state;

/** VFIO's dma-buf 1 of its BAR and the importer's attachment 2, in vfio-dmabuf-revoke's world (exporter device 0, importer device 1). */
const dmabufAttached = (): State =>
  run(designWorld('vfio-dmabuf-revoke'), { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }).state;
/** ... with the table the importer mapped under the lock: mapping 3. */
const dmabufMapped = (): State =>
  run(dmabufAttached(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 }, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' }, { kind: 'dma_resv_unlock', dmabuf: 1, dev: 1 }).state;
/** ... VFIO inside its revoke: it holds the lock, set revoked and called move_notify, whose callback runs as thread 3 (nothing kept: it returns at once). */
const dmabufNotifying = (): State =>
  run(dmabufAttached(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 0 }, { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 }, { kind: 'dma_buf_move_notify', dmabuf: 1 }).state;

/** blk-dma-iova's world (the NVMe controller, device 0, behind dma-iommu) with a two-page anonymous VMA pinned for a read from disk: page array 2. */
const iovaPinned = (): State => run(designWorld('blk-dma-iova'), mmapAnon(2), pin(0, 2, true)).state;
/** ... with the request's IOVA range allocated: IOVA 3. */
const iovaAllocated = (): State => run(iovaPinned(), { kind: 'dma_iova_try_alloc', dev: 0, pages: 2 }).state;
/** ... with page 0 of the request linked at page 0 of the range. */
const iovaLinked = (): State => run(iovaAllocated(), { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 0, dir: 'from-device' }).state;

/** Every op kind must have an entry: the mapped type makes a missing one a compile error. */
const REJECTIONS: { readonly [K in OpKind]: ReadonlyArray<Case> } = {
  mmap: [
    { kernel: 'do_mmap returns -EINVAL for len 0', state: world, op: mmapAnon(0), reason: '-EINVAL: do_mmap: len is 0' },
    { kernel: "the exporter's ->mmap returns -ENOMEM when its BAR has too few free pages", state: () => run(world(), mmapBar(1)).state, op: mmapBar(2), reason: '-ENOMEM: ->mmap: ' },
    { kernel: "->mmap returns -ENODEV once the provider is removed", state: () => run(world(), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }).state, op: mmapBar(1), reason: '-ENODEV: ->mmap: ' },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: mmapAnon(1), reason: 'ill-formed: mm 0 has exited' },
    { kernel: "the model's exporters hand out raw BARs only: a P2PDMA BAR as a window is ill-formed", state: world, op: { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: P2PDMA_BAR } }, reason: 'ill-formed: BAR 0 is a P2PDMA provider' },
    { kernel: 'fault injection names a page vm_insert_page is never called for: ill-formed', state: world, op: { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: P2PDMA_BAR, insert_fails_at: 1 } }, reason: 'ill-formed: insert_fails_at 1: p2pmem_alloc_mmap inserts only 1 page(s)' },
    { kernel: 'a raw BAR has no p2pmem/allocate file: ill-formed', state: world, op: { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'p2pmem', bar: RAW_BAR } }, reason: 'ill-formed: BAR 1 has no ZONE_DEVICE pages' },
    { kernel: "a VMA over the model's size limit is not built: ill-formed", state: world, op: mmapAnon(5000), reason: "ill-formed: npages 5000 is over the model's limit" },
    { kernel: 'mmap_write_lock is held by munmap: mmap waits', state: () => unmapping().state, op: mmapAnon(1), reason: 'waits: mmap_write_lock of mm 0 is held' },
  ],
  munmap: [
    { kernel: 'do_munmap returns -EINVAL for len 0', state: world, op: { kind: 'munmap', mm: 0, start: 0, npages: 0 }, reason: '-EINVAL: do_munmap: len is 0' },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: { kind: 'munmap', mm: 0, start: 0, npages: 1 }, reason: 'ill-formed: mm 0 has exited' },
    { kernel: 'another munmap holds mmap_write_lock: munmap waits', state: () => unmapping().state, op: { kind: 'munmap', mm: 0, start: 3, npages: 1 }, reason: 'waits: mmap_write_lock of mm 0 is held' },
  ],
  mprotect: [
    { kernel: 'do_mprotect_pkey returns -ENOMEM for a range with a hole', state: () => run(world(), mmapAnon(1)).state, op: { kind: 'mprotect', mm: 0, start: 0, npages: 2, write: false }, reason: '-ENOMEM: do_mprotect_pkey: pages [0, 2) of mm 0 are not all mapped' },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }, reason: 'ill-formed: mm 0 has exited' },
  ],
  madvise: [
    { kernel: 'madvise returns -ENOMEM for a range with a hole', state: () => run(world(), mmapAnon(1)).state, op: { kind: 'madvise', mm: 0, start: 0, npages: 2, advice: 'dontfork' }, reason: '-ENOMEM: madvise: pages [0, 2) of mm 0 are not all mapped' },
    { kernel: 'MADV_DONTNEED on a VM_PFNMAP VMA is -EINVAL (madvise_dontneed_free_valid_vma)', state: () => run(world(), mmapBar(1)).state, op: { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontneed' }, reason: '-EINVAL: madvise_dontneed_free_valid_vma: MADV_DONTNEED on a VM_PFNMAP VMA' },
    { kernel: 'MADV_DOFORK on a VM_IO VMA is -EINVAL (madvise_vma_behavior)', state: () => run(world(), mmapBar(1)).state, op: { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dofork' }, reason: '-EINVAL: madvise_vma_behavior: MADV_DOFORK on a VM_IO VMA' },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: { kind: 'madvise', mm: 0, start: 0, npages: 1, advice: 'dontfork' }, reason: 'ill-formed: mm 0 has exited' },
  ],
  mremap: [
    { kernel: 'mremap returns -EINVAL for new_len 0', state: () => run(world(), mmapAnon(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 1, new_npages: 0, may_move: true }, reason: '-EINVAL: mremap: new_len is 0' },
    { kernel: 'vma_to_resize returns -EFAULT for a range across two VMAs', state: () => run(world(), mmapAnon(1), mmapAnon(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 2, new_npages: 1, may_move: false }, reason: '-EFAULT: vma_to_resize: pages [0, 2) of mm 0 are not inside one vma' },
    { kernel: 'vma_to_resize returns -EFAULT for growing a VM_PFNMAP window', state: () => run(world(), mmapBar(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 1, new_npages: 2, may_move: true }, reason: '-EFAULT: vma_to_resize: vma 1 is VM_PFNMAP/VM_DONTEXPAND' },
    { kernel: 'vma_to_resize returns -EINVAL for old_len 0 of a private mapping', state: () => run(world(), mmapAnon(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 0, new_npages: 1, may_move: true }, reason: '-EINVAL: vma_to_resize: old_len 0 would duplicate private vma 1' },
    { kernel: 'mremap returns -ENOMEM when it must move and MREMAP_MAYMOVE is not set', state: () => run(world(), mmapAnon(1), mmapBar(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 1, new_npages: 2, may_move: false }, reason: '-ENOMEM: mremap: ' },
    { kernel: 'old_len 0 of a shared mapping duplicates it, which the model does not build: ill-formed', state: () => run(world(), mmapFile(1)).state, op: { kind: 'mremap', mm: 0, start: 0, npages: 0, new_npages: 1, may_move: true }, reason: 'ill-formed: old_len 0 duplicates shared vma 1' },
  ],
  exit_mmap: [
    { kernel: 'exit_mmap runs once: a second one is ill-formed', state: exited, op: { kind: 'exit_mmap', mm: 0 }, reason: 'ill-formed: mm 0 has already exited' },
    { kernel: 'munmap holds mmap_write_lock: exit_mmap waits', state: () => unmapping().state, op: { kind: 'exit_mmap', mm: 0 }, reason: 'waits: mmap_write_lock of mm 0 is held' },
  ],
  fork: [
    { kernel: 'a page of the process is under migration: the child would get its migration entry (the model makes fork wait)', state: () => run(mirroredAnon(), { kind: 'migrate_page', page: 0 }).state, op: { kind: 'fork', mm: 0 }, reason: 'waits: page 0 is locked by migration' },
    {
      kernel: 'copy_pte_range returns -ENOMEM when the early COW copy of a pinned page finds no free page',
      state: () => run(oneRamPage(), mmapAnon(1), pin(0, 1, true)).state,
      op: { kind: 'fork', mm: 0 },
      reason: '-ENOMEM: copy_pte_range: no free RAM page to copy pinned page 0 early',
    },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: { kind: 'fork', mm: 0 }, reason: 'ill-formed: mm 0 has exited' },
    { kernel: 'munmap holds mmap_write_lock: fork waits', state: () => unmapping().state, op: { kind: 'fork', mm: 0 }, reason: 'waits: mmap_write_lock of mm 0 is held' },
  ],
  clear_refs: [
    { kernel: 'an exited process has no /proc/PID/clear_refs: ill-formed', state: exited, op: { kind: 'clear_refs', mm: 0 }, reason: 'ill-formed: mm 0 has exited' },
    { kernel: 'its MMU_NOTIFY_SOFT_DIRTY invalidation is not modelled: ill-formed under a notifier', state: mirroredAnon, op: { kind: 'clear_refs', mm: 0 }, reason: 'ill-formed: mm 0 has an mmu interval notifier' },
  ],
  ptep_set_wrprotect: [
    { kernel: "only fork's own copy_present_pte write-protects, in its window: ill-formed elsewhere", state: world, op: { kind: 'ptep_set_wrprotect', mm: 0 }, reason: 'ill-formed: no fork of mm 0 is between its check of the pages and its write-protect' },
  ],
  write_fault: [
    { kernel: 'handle_mm_fault finds no VMA: SIGSEGV', state: world, op: writeFault(0), reason: 'SIGSEGV: no vma of mm 0 covers page 0' },
    { kernel: 'a write fault on a VMA without VM_WRITE is SIGSEGV', state: () => run(world(), mmapAnon(1), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }).state, op: writeFault(0), reason: 'SIGSEGV: vma 1 has no VM_WRITE' },
    { kernel: 'a VM_PFNMAP mapping whose PTEs were zapped has no ->fault: SIGBUS', state: () => run(world(), mmapBar(1), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }).state, op: writeFault(0), reason: 'SIGBUS: vma 1 maps device memory whose PTEs were zapped' },
    { kernel: 'filemap_fault past the end of the file is VM_FAULT_SIGBUS', state: () => run(world(), mmapFile(5)).state, op: writeFault(4), reason: 'SIGBUS: page 4 of vma 1 is past the end of inode 0' },
    { kernel: 'do_anonymous_page finds no free page: VM_FAULT_OOM', state: () => run(oneRamPage(), mmapAnon(2), writeFault(0)).state, op: writeFault(1), reason: '-ENOMEM: no free RAM page (VM_FAULT_OOM)' },
    { kernel: 'a present writable PTE takes no fault: ill-formed', state: anonFaulted, op: writeFault(0), reason: 'ill-formed: no fault: the PTE at page 0 is present and writable' },
  ],
  reclaim: [
    { kernel: 'isolate_lru_page returns -EBUSY while migration has the page', state: () => run(mirroredAnon(), { kind: 'migrate_page', page: 0 }).state, op: { kind: 'reclaim', page: 0 }, reason: '-EBUSY: isolate_lru_page: page 0 is locked by migration' },
    { kernel: 'isolate_lru_page returns -EBUSY for device memory', state: () => run(world(), mmapP2pmem(1)).state, op: { kind: 'reclaim', page: P2PDMA_BASE }, reason: `-EBUSY: isolate_lru_page: page ${P2PDMA_BASE} is device memory` },
    { kernel: 'get_page_unless_zero fails on a free page', state: world, op: { kind: 'reclaim', page: 0 }, reason: 'returns 0: get_page_unless_zero: page 0 is free' },
    { kernel: 'isolate_lru_page returns -EBUSY for the shared zero page', state: world, op: { kind: 'reclaim', page: zeroPfn(world()) }, reason: `-EBUSY: isolate_lru_page: page ${zeroPfn(world())} is the shared zero page` },
    { kernel: 'shrink_page_list keeps a maybe-pinned anon page out of the swap cache (5.11, feb889fb40fa): nothing happens', state: () => run(world(), mmapAnon(1), pin(0, 1, true)).state, op: { kind: 'reclaim', page: 0 }, reason: 'returns 0: page 0 may be DMA-pinned' },
    { kernel: 'add_to_swap fails on a full swap device: the page is activated, nothing happens', state: () => run(world(), mmapAnon(RAM_PAGES + 1), ...Array.from({ length: RAM_PAGES }, (_, i) => [writeFault(i), { kind: 'reclaim', page: 0 } as const]).flat(), writeFault(RAM_PAGES)).state, op: { kind: 'reclaim', page: 0 }, reason: 'returns 0: add_to_swap: no free swap slot' },
    { kernel: 'a dirty file page is unmapped and kept for pageout in the kernel, which is not modelled: ill-formed', state: dirtyFilePage, op: { kind: 'reclaim', page: 0 }, reason: 'ill-formed: page 0 is dirty' },
    { kernel: 'a pfn that names no page is ill-formed', state: world, op: { kind: 'reclaim', page: 99 }, reason: 'ill-formed: no page 99' },
  ],
  migrate_page: [
    { kernel: 'isolate_lru_page returns -EBUSY while reclaim has the page', state: () => run(mirroredAnon(), { kind: 'reclaim', page: 0 }).state, op: { kind: 'migrate_page', page: 0 }, reason: '-EBUSY: isolate_lru_page: page 0 is locked by reclaim' },
    { kernel: 'folio_migrate_mapping returns -EAGAIN for a pinned page', state: () => run(world(), mmapAnon(1), pin(0, 1, true)).state, op: { kind: 'migrate_page', page: 0 }, reason: '-EAGAIN: folio_migrate_mapping: page 0 has 2 references, migration expects 1' },
    { kernel: 'migrate_pages returns -ENOMEM when no new page can be allocated', state: () => run(oneRamPage(), mmapAnon(1), writeFault(0)).state, op: { kind: 'migrate_page', page: 0 }, reason: '-ENOMEM: migrate_pages: no free RAM page to migrate to' },
    { kernel: 'isolate_lru_page returns -EBUSY for device memory (a pci_alloc_p2pmem page)', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }).state, op: { kind: 'migrate_page', page: P2PDMA_BASE }, reason: `-EBUSY: isolate_lru_page: page ${P2PDMA_BASE} is device memory` },
  ],
  writeback: [
    {
      kernel: 'folio_lock sleeps while migration has the page',
      state: () => run(world(), mmapFile(1), writeFault(0), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, { kind: 'migrate_page', page: 0 }).state,
      op: { kind: 'writeback', page: 0 },
      reason: 'waits: page 0 is locked by migration',
    },
    {
      kernel: 'folio_clear_dirty_for_io returns false for a clean page',
      state: () => run(dirtyFilePage(), { kind: 'writeback', page: 0 }).state,
      op: { kind: 'writeback', page: 0 },
      reason: 'returns false: folio_clear_dirty_for_io: page 0 is clean',
    },
    { kernel: 'an anonymous page has no file to write back to (swap-out is not modelled): ill-formed', state: anonFaulted, op: { kind: 'writeback', page: 0 }, reason: 'ill-formed: page 0 is anonymous' },
    { kernel: 'the shared zero page is in no page cache: ill-formed', state: world, op: { kind: 'writeback', page: zeroPfn(world()) }, reason: `ill-formed: page ${zeroPfn(world())} is the shared zero page, in no page cache` },
    { kernel: 'device memory is in no page cache: ill-formed', state: () => run(world(), mmapP2pmem(1)).state, op: { kind: 'writeback', page: P2PDMA_BASE }, reason: `ill-formed: page ${P2PDMA_BASE} is device memory, in no page cache` },
  ],
  get_user_pages: [
    { kernel: 'check_vma_flags returns -EFAULT for a VM_IO|VM_PFNMAP VMA', state: () => run(world(), mmapBar(1)).state, op: gup(0, 1, false), reason: '-EFAULT: vma 1 is VM_IO|VM_PFNMAP' },
    { kernel: 'check_vma_flags returns -EFAULT for FOLL_WRITE on a VMA without VM_WRITE', state: () => run(world(), mmapAnon(1), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }).state, op: gup(0, 1, true), reason: '-EFAULT: FOLL_WRITE on vma 1' },
    { kernel: 'GUP of P2PDMA pages without FOLL_PCI_P2PDMA returns -EREMOTEIO', state: () => run(world(), mmapP2pmem(1)).state, op: gup(0, 1, false), reason: '-EREMOTEIO: vma 1 holds PCI P2PDMA pages' },
    { kernel: '__get_user_pages finds no VMA: -EFAULT', state: world, op: gup(0, 1, false), reason: '-EFAULT: no vma of mm 0 covers page 0' },
    { kernel: '__get_user_pages returns 0 for nr_pages 0', state: () => run(world(), mmapAnon(1)).state, op: gup(0, 0, false), reason: 'returns 0: npages 0 asks for nothing' },
    { kernel: 'a fault past the end of the file is -EFAULT for GUP', state: () => run(world(), mmapFile(5)).state, op: gup(4, 1, false), reason: '-EFAULT: page 4 of vma 1 is past the end of inode 0' },
  ],
  pin_user_pages: [
    {
      kernel: 'try_grab_folio refuses a page whose _refcount a second release drove below zero: -ENOMEM (WARN_ON_ONCE)',
      state: () => run(world(), mmapAnon(1), pin(0, 1, true), { kind: 'unpin_user_pages', pages: 2 }, { kind: 'unpin_user_page', page: 0 }).state,
      op: pin(0, 1, true),
      reason: '-ENOMEM: try_grab_folio: page 0 has a _refcount of -1023',
    },
    { kernel: 'pin_user_pages returns -EINVAL for FOLL_PCI_P2PDMA with FOLL_LONGTERM', state: () => run(world(), mmapP2pmem(1)).state, op: pin(0, 1, true, { p2pdma: true, longterm: true }), reason: '-EINVAL: FOLL_PCI_P2PDMA cannot be combined with FOLL_LONGTERM' },
    { kernel: 'check_vma_flags returns -EFAULT for FOLL_LONGTERM|FOLL_WRITE on a file mapping', state: () => run(world(), mmapFile(1)).state, op: pin(0, 1, true, { longterm: true }), reason: '-EFAULT: FOLL_LONGTERM|FOLL_WRITE on vma 1' },
    { kernel: 'a faulted-in anon page with no free RAM: -ENOMEM', state: () => run(oneRamPage(), mmapAnon(2), writeFault(0)).state, op: pin(1, 1, true), reason: '-ENOMEM: no free RAM page (VM_FAULT_OOM)' },
  ],
  pin_user_pages_fast: [
    { kernel: 'an exited mm has no VMAs: -EFAULT', state: exited, op: pinFast(0), reason: '-EFAULT: mm 0 has exited' },
    { kernel: 'the slow path finds no VMA: -EFAULT (check_vma_flags)', state: world, op: pinFast(0), reason: '-EFAULT: no vma of mm 0 covers page 0' },
    { kernel: 'write_protect_seq is odd (5.11): the slow path waits for the mmap_write_lock fork holds', state: () => run(forkStepsWorld(), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }).state, op: pinFast(0), reason: 'waits: mmap_write_lock of mm 0 is held by fork' },
  ],
  put_page: [
    { kernel: "a pipe's buffers are released by reading the pipe, not by a driver: ill-formed", state: () => run(world(), mmapAnon(1), { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }).state, op: { kind: 'put_page', pages: 2 }, reason: "ill-formed: pages 2 are a pipe's buffers" },
    { kernel: 'an array id already released names nothing (a second release passes page pointers: unpin_user_page): ill-formed', state: () => run(world(), mmapAnon(1), gup(0, 1, false), { kind: 'put_page', pages: 2 }).state, op: { kind: 'put_page', pages: 2 }, reason: 'ill-formed: pages 2 are not held' },
  ],
  unpin_user_pages: [
    { kernel: 'unpin_user_pages of FOLL_GET pages would unbalance the pin count: ill-formed', state: () => run(world(), mmapAnon(1), gup(0, 1, false)).state, op: { kind: 'unpin_user_pages', pages: 2 }, reason: 'ill-formed: pages 2 came from get_user_pages (FOLL_GET)' },
    { kernel: 'pages a DMA-only table keeps privately cannot be named: ill-formed', state: dmaOnly, op: { kind: 'unpin_user_pages', pages: 2 }, reason: 'ill-formed: pages 2 belong to DMA-only table' },
  ],
  unpin_user_page: [
    { kernel: 'a pointer to no struct page cannot be passed: ill-formed', state: world, op: { kind: 'unpin_user_page', page: 999 }, reason: 'ill-formed: pfn 999 has no struct page' },
  ],
  unpin_user_pages_dirty_lock: [
    { kernel: 'pages that are not held (a second release) are ill-formed', state: world, op: { kind: 'unpin_user_pages_dirty_lock', pages: 4, make_dirty: true }, reason: 'ill-formed: pages 4 are not held' },
  ],
  set_page_dirty_lock: [
    { kernel: 'set_page_dirty_lock after the reference was dropped is a use after free: ill-formed', state: world, op: { kind: 'set_page_dirty_lock', pages: 4 }, reason: 'ill-formed: pages 4 are not held (the reference was already dropped)' },
    { kernel: "a pipe's buffers are not the caller's pages: ill-formed", state: () => run(world(), mmapAnon(1), { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }).state, op: { kind: 'set_page_dirty_lock', pages: 2 }, reason: "ill-formed: pages 2 are a pipe's buffers" },
  ],
  vmsplice: [
    { kernel: 'iov_iter_get_pages2 (get_user_pages_fast) finds no VMA: -EFAULT', state: world, op: { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }, reason: '-EFAULT: no vma of mm 0 covers page 0' },
    { kernel: 'GUP refuses a VM_IO|VM_PFNMAP VMA: -EFAULT', state: () => run(world(), mmapBar(1)).state, op: { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }, reason: '-EFAULT: vma 1 is VM_IO|VM_PFNMAP' },
  ],
  pipe_read: [
    { kernel: "pages a driver took are no pipe's buffers: ill-formed", state: () => run(world(), mmapAnon(1), gup(0, 1, false)).state, op: { kind: 'pipe_read', pages: 2 }, reason: "ill-formed: pages 2 are no pipe's buffers" },
  ],
  sg_alloc_table: [
    { kernel: '__sg_alloc_table returns -EINVAL for nents 0', state: world, op: { kind: 'sg_alloc_table', nents: 0 }, reason: '-EINVAL: __sg_alloc_table: nents 0 must be at least 1' },
    { kernel: "a table over the model's size limit is not built: ill-formed", state: world, op: { kind: 'sg_alloc_table', nents: 5000 }, reason: "ill-formed: nents 5000 is over the model's limit" },
  ],
  sg_alloc_table_from_pages: [
    { kernel: 'pages the caller does not hold are ill-formed', state: world, op: { kind: 'sg_alloc_table_from_pages', pages: 5 }, reason: 'ill-formed: pages 5 are not held' },
  ],
  sg_set_page: [
    { kernel: 'an index outside the table is ill-formed', state: () => run(world(), { kind: 'sg_alloc_table', nents: 1 }).state, op: { kind: 'sg_set_page', sgl: 1, index: 1, page: 0 }, reason: 'ill-formed: index 1 is outside sgl 1' },
    { kernel: 'a raw BAR pfn has no struct page: ill-formed', state: () => run(world(), { kind: 'sg_alloc_table', nents: 1 }).state, op: { kind: 'sg_set_page', sgl: 1, index: 0, page: RAW_BASE }, reason: `ill-formed: pfn ${RAW_BASE} has no struct page` },
  ],
  sg_free_table: [{ kernel: 'a second sg_free_table is not modelled: ill-formed', state: world, op: { kind: 'sg_free_table', sgl: 3 }, reason: 'ill-formed: sgl 3 is not allocated' }],
  sg_virt: [{ kernel: 'a DMA-only table is another C type with no CPU side: ill-formed', state: dmaOnly, op: { kind: 'sg_virt', sgl: 4, index: 0 }, reason: 'ill-formed: sgl 4 is a DMA-only table' }],
  kmap_local_page: [{ kernel: 'an index outside the table is ill-formed', state: table, op: { kind: 'kmap_local_page', sgl: 3, index: 2 }, reason: 'ill-formed: index 2 is outside sgl 3' }],
  sg_copy_to_buffer: [{ kernel: 'a table that is not allocated is ill-formed', state: world, op: { kind: 'sg_copy_to_buffer', sgl: 3 }, reason: 'ill-formed: sgl 3 is not allocated' }],
  memcpy_toio: [{ kernel: 'RAM is not __iomem: ill-formed', state: world, op: { kind: 'memcpy_toio', page: 0 }, reason: 'ill-formed: pfn 0 is not __iomem' }],
  dma_map_sg: [
    { kernel: 'dma_map_sg returns 0 for a P2PDMA page the client cannot reach (pci_p2pdma_map_segment)', state: p2pTable, op: { kind: 'dma_map_sg', dev: ISOLATED, sgl: 1, dir: 'to-device' }, reason: 'returns 0: entry 0 is a P2PDMA page' },
    {
      kernel: 'dma_direct_map_page returns DMA_MAPPING_ERROR for a P2PDMA page through the host bridge on a device that must bounce: dma_map_sg returns 0',
      state: () => run(designWorld('foll-pci-p2pdma-bounce'), { kind: 'pci_alloc_p2pmem', bar: 0 }, { kind: 'sg_alloc_table', nents: 1 }, { kind: 'sg_set_page', sgl: 1, index: 0, page: 6 }).state,
      op: { kind: 'dma_map_sg', dev: IMPORTER, sgl: 1, dir: 'to-device' },
      reason: 'returns 0: entry 0 is a P2PDMA page reached through the host bridge, and device 1 must bounce',
    },
    { kernel: 'an unset entry would oops on sg_page() NULL: ill-formed', state: () => run(world(), { kind: 'sg_alloc_table', nents: 1 }).state, op: { kind: 'dma_map_sg', dev: IMPORTER, sgl: 1, dir: 'to-device' }, reason: 'ill-formed: entry 0 of sgl 1 has no page set' },
  ],
  dma_unmap_sg: [{ kernel: 'a device that names nothing is ill-formed', state: mapped, op: { kind: 'dma_unmap_sg', mapping: 4, dev: 9, nents: 2, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  dma_sync_sg_for_cpu: [{ kernel: 'a device that names nothing is ill-formed', state: mapped, op: { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: 9, nents: 2, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  dma_sync_sg_for_device: [{ kernel: 'a device that names nothing is ill-formed', state: mapped, op: { kind: 'dma_sync_sg_for_device', mapping: 4, dev: 9, nents: 2, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  device_write: [{ kernel: 'the device has no address from a mapping that is not live: ill-formed', state: world, op: { kind: 'device_write', mapping: 4, index: 0 }, reason: 'ill-formed: mapping 4 is not live' }],
  device_read: [{ kernel: 'the device has no address from a mapping that is not live: ill-formed', state: world, op: { kind: 'device_read', mapping: 4, index: 0 }, reason: 'ill-formed: mapping 4 is not live' }],
  pci_p2pmem_find: [
    { kernel: 'pci_p2pmem_find returns NULL when no provider is reachable: a dma_virt_ops client (pci_p2pdma_distance_many)', state: () => makeWorld({ ...worldSpec(currentEra), devices: worldSpec(currentEra).devices.map((d, i) => (i === 1 ? { ...d, virtDma: true } : d)) }), op: { kind: 'pci_p2pmem_find', client: 1 }, reason: 'returns NULL: no live provider of p2pmem that device 1 can reach (pci_p2pdma_distance_many: device uses dma_virt_ops)' },
    { kernel: 'a device that does not exist is ill-formed', state: world, op: { kind: 'pci_p2pmem_find', client: 9 }, reason: 'ill-formed: no device 9' },
  ],
  pci_alloc_p2pmem: [
    { kernel: 'pci_alloc_p2pmem returns NULL for a device without pci_p2pdma_add_resource', state: world, op: { kind: 'pci_alloc_p2pmem', bar: RAW_BAR }, reason: 'returns NULL: BAR 1 was not registered with pci_p2pdma_add_resource' },
    { kernel: 'pci_alloc_p2pmem returns NULL when percpu_ref_tryget_live fails during removal', state: () => run(world(), { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER }).state, op: { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, reason: 'returns NULL: percpu_ref_tryget_live failed' },
    { kernel: 'pci_alloc_p2pmem returns NULL when the gen_pool is empty', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }).state, op: { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, reason: 'returns NULL: the gen_pool of BAR 0 is empty' },
  ],
  pci_free_p2pmem: [{ kernel: 'gen_pool_free of a page it did not hand out would BUG: ill-formed', state: world, op: { kind: 'pci_free_p2pmem', page: P2PDMA_BASE }, reason: `ill-formed: page ${P2PDMA_BASE} was not allocated by pci_alloc_p2pmem` }],
  pci_p2pdma_map_sg: [
    { kernel: 'a device that names nothing is ill-formed', state: p2pTable, op: { kind: 'pci_p2pdma_map_sg', dev: 9, sgl: 1, dir: 'to-device' }, reason: 'ill-formed: no device 9' },
    {
      kernel: 'pci_p2pdma_map_sg returns 0 for a dma_virt_ops device (WARN_ON_ONCE, until 5.10)',
      state: () => ({ ...p2pTable(), devices: p2pTable().devices.map((d) => (d.id === IMPORTER ? { ...d, virtDma: true } : d)) }),
      op: { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: 1, dir: 'to-device' },
      reason: `returns 0: device ${IMPORTER} uses dma_virt_ops`,
    },
  ],
  pci_p2pdma_unmap_sg: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'pci_p2pdma_unmap_sg', mapping: 3, dev: 9, nents: 1, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  pci_stop_and_remove_bus_device: [
    { kernel: 'a second removal names a pci_dev being freed: ill-formed', state: () => run(world(), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }).state, op: { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }, reason: `ill-formed: device ${RAW_EXPORTER} is already being removed or gone` },
    { kernel: 'the model removes providers only: a device without a BAR is ill-formed', state: world, op: { kind: 'pci_stop_and_remove_bus_device', dev: IMPORTER }, reason: `ill-formed: device ${IMPORTER} provides no BAR` },
  ],
  memunmap_pages: [
    { kernel: 'memunmap_pages sleeps until every page of the provider is free: waits', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER }).state, op: { kind: 'memunmap_pages', dev: P2PDMA_PROVIDER }, reason: `waits: 1 P2PDMA page(s) of device ${P2PDMA_PROVIDER} are still referenced` },
    { kernel: 'no removal of the provider has started: ill-formed', state: world, op: { kind: 'memunmap_pages', dev: P2PDMA_PROVIDER }, reason: `ill-formed: device ${P2PDMA_PROVIDER} has no P2PDMA BAR being removed` },
    {
      kernel: 'memunmap_pages sleeps until the pgmap percpu_ref is zero, which a reference no page holds keeps from happening: waits',
      state: () => { const s = world(); return run({ ...s, bars: s.bars.map((b) => (b.id === P2PDMA_BAR ? { ...b, pgmapRefs: 1 } : b)) }, { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER }).state; },
      op: { kind: 'memunmap_pages', dev: P2PDMA_PROVIDER },
      reason: `waits: the pgmap of device ${P2PDMA_PROVIDER} still has 1 reference(s) that no page holds`,
    },
  ],
  mmu_interval_notifier_insert: [
    { kernel: '__mmu_interval_notifier_insert returns -EOVERFLOW for length 0', state: world, op: { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 0, owner: IMPORTER }, reason: '-EOVERFLOW: __mmu_interval_notifier_insert: length 0' },
    { kernel: '__mmu_interval_notifier_insert returns -EINVAL for an mm with no users', state: exited, op: { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, reason: '-EINVAL: __mmu_interval_notifier_insert: mm 0 has exited' },
    { kernel: 'an mm that names nothing is ill-formed', state: world, op: { kind: 'mmu_interval_notifier_insert', mm: 6, start: 0, npages: 1, owner: IMPORTER }, reason: 'ill-formed: no mm 6' },
  ],
  mmu_interval_notifier_remove: [
    { kernel: 'mmu_interval_notifier_remove sleeps while an invalidation of the mm runs: waits', state: () => unmapping().state, op: { kind: 'mmu_interval_notifier_remove', notifier: 2 }, reason: 'waits: an invalidation of mm 0 is in progress' },
    { kernel: 'a notifier that is not registered is ill-formed', state: world, op: { kind: 'mmu_interval_notifier_remove', notifier: 2 }, reason: 'ill-formed: notifier 2 is not registered' },
  ],
  mmu_interval_read_begin: [
    {
      kernel: 'mmu_interval_read_begin sleeps while its notifier is being invalidated: waits',
      // the callback has taken its lock and set the notifier's seq to the odd cur_seq
      state: () => {
        const { state, thread } = unmapping();
        return runThread(state, thread, 2).state;
      },
      op: { kind: 'mmu_interval_read_begin', notifier: 2 }, reason: 'waits: notifier 2 is being invalidated' },
    { kernel: 'a notifier that is not registered is ill-formed', state: world, op: { kind: 'mmu_interval_read_begin', notifier: 2 }, reason: 'ill-formed: notifier 2 is not registered' },
  ],
  mmu_interval_read_retry: [{ kernel: 'a notifier that is not registered is ill-formed', state: world, op: { kind: 'mmu_interval_read_retry', notifier: 2, seq: 1 }, reason: 'ill-formed: notifier 2 is not registered' }],
  mmu_interval_set_seq: [{ kernel: 'a notifier that is not registered is ill-formed', state: world, op: { kind: 'mmu_interval_set_seq', notifier: 2, seq: 3 }, reason: 'ill-formed: notifier 2 is not registered' }],
  invalidate_callback_return: [
    { kernel: 'only the callback itself returns: a return with no thread is ill-formed', state: () => unmapping().state, op: { kind: 'invalidate_callback_return', notifier: 2, ret: true }, reason: 'ill-formed: only the invalidate callback itself returns' },
    { kernel: "a call out of the callback's recipe order is ill-formed", state: () => unmapping().state, op: { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 4 }, reason: 'ill-formed: driver thread 4 (stop-unmap) calls driver_lock here' },
  ],
  mmu_notifier_invalidate_range_end: [
    { kernel: 'invalidate_range_end comes after every callback returned: waits', state: () => unmapping().state, op: { kind: 'mmu_notifier_invalidate_range_end', inv: 3 }, reason: 'waits: invalidation 3 still has callbacks to run' },
    { kernel: 'an invalidation that is not in progress is ill-formed', state: world, op: { kind: 'mmu_notifier_invalidate_range_end', inv: 3 }, reason: 'ill-formed: no invalidation 3 is in progress' },
  ],
  driver_map_range: [
    { kernel: 'a device with no driver map path is ill-formed', state: world, op: { kind: 'driver_map_range', dev: IMPORTER, notifier: 2 }, reason: `ill-formed: device ${IMPORTER} has no driver map path` },
    { kernel: "another device's notifier is ill-formed", state: subscribed, op: { kind: 'driver_map_range', dev: 1, notifier: 9 }, reason: "ill-formed: notifier 9 is not one of device 1's" },
  ],
  driver_lock: [
    { kernel: 'mutex_lock sleeps while the lock is held: waits', state: () => run(world(), { kind: 'driver_lock', dev: IMPORTER }).state, op: { kind: 'driver_lock', dev: IMPORTER }, reason: `waits: device ${IMPORTER}'s driver lock is held` },
    { kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'driver_lock', dev: 9 }, reason: 'ill-formed: no device 9' },
  ],
  driver_unlock: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'driver_unlock', dev: 9 }, reason: 'ill-formed: no device 9' }],
  device_program: [{ kernel: 'addresses the driver never got are ill-formed', state: p2pMapped, op: { kind: 'device_program', dev: RAW_EXPORTER, mapping: 2 }, reason: `ill-formed: the driver of device ${RAW_EXPORTER} holds no addresses of mapping 2` }],
  device_stop_dma: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'device_stop_dma', dev: 9, mm: 0, start: 0, npages: 1 }, reason: 'ill-formed: no device 9' }],
  device_write_protect: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'device_write_protect', dev: 9, mm: 0, start: 0, npages: 1 }, reason: 'ill-formed: no device 9' }],
  driver_return: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'driver_return', dev: 9, err: '0' }, reason: 'ill-formed: no device 9' }],
  driver_record: [
    { kernel: 'only the map path that got the mapping records it: ill-formed without one', state: p2pMapped, op: { kind: 'driver_record', dev: IMPORTER, mapping: 2 }, reason: `ill-formed: only the driver thread of device ${IMPORTER} that got mapping 2 from p2p_map records it` },
  ],
  driver_forget: [
    { kernel: 'a mapping the driver never recorded is ill-formed', state: p2pMapped, op: { kind: 'driver_forget', dev: IMPORTER, mapping: 2 }, reason: `ill-formed: device ${IMPORTER}'s driver has no record of mapping 2` },
  ],
  mmget_not_zero: [
    { kernel: 'mmget_not_zero returns false once mm_users is 0', state: exited, op: { kind: 'mmget_not_zero', mm: 0 }, reason: 'returns false: mm_users of mm 0 is 0' },
    { kernel: 'an mm that names nothing is ill-formed', state: world, op: { kind: 'mmget_not_zero', mm: 9 }, reason: 'ill-formed: no mm 9' },
  ],
  mmput: [{ kernel: 'a reference nobody holds is ill-formed', state: exited, op: { kind: 'mmput', mm: 0 }, reason: 'ill-formed: mm_users of mm 0 is 0' }],
  mmap_read_lock: [
    { kernel: 'munmap holds mmap_write_lock in its invalidation: waits', state: () => unmapping().state, op: { kind: 'mmap_read_lock', mm: 0 }, reason: 'waits: mmap_write_lock of mm 0 is held' },
    { kernel: 'the model takes mmap_read_lock only under an mm_users reference: ill-formed without', state: exited, op: { kind: 'mmap_read_lock', mm: 0 }, reason: 'ill-formed: mm 0 has no users' },
  ],
  mmap_read_unlock: [{ kernel: 'unlocking a lock nobody holds is ill-formed', state: world, op: { kind: 'mmap_read_unlock', mm: 0 }, reason: 'ill-formed: nobody holds mmap_read_lock of mm 0' }],
  hmm_range_fault: [
    { kernel: 'mmu_interval_check_retry: an invalidation set a new seq since read_begin: -EBUSY', state: mirroredAnon, op: { kind: 'hmm_range_fault', notifier: 2, seq: 0, start: 0, npages: 1, write: false }, reason: '-EBUSY: mmu_interval_check_retry' },
    { kernel: 'hmm_vma_walk_hole: no VMA where a fault is required: -EFAULT', state: () => run(world(), mmapAnon(1), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 2, owner: IMPORTER }).state, op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 2, write: false }, reason: '-EFAULT: no vma of mm 0 covers page 1' },
    { kernel: 'hmm_vma_walk_test: a VM_IO|VM_PFNMAP VMA cannot be faulted: -EFAULT', state: () => run(world(), mmapBar(1), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state, op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 1, write: false }, reason: '-EFAULT: vma 1 is VM_IO|VM_PFNMAP' },
    { kernel: 'hmm_vma_fault: a write fault on a VMA without VM_WRITE: -EPERM', state: () => run(world(), mmapAnon(1), writeFault(0), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state, op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 1, write: true }, reason: '-EPERM: a write fault on page 0' },
    {
      // This world's importer has no callback code: range_start returns at once.
      kernel: "migration's callbacks have returned and it is unmapping the page: the walk waits (migration_entry_wait)",
      state: () => run(mirroredAnon(), { kind: 'migrate_page', page: 0 }).state,
      op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 1, write: false },
      reason: 'waits: page 0 is being unmapped by migration',
    },
    {
      kernel: "its own COW break's callbacks are still running: handle_mm_fault has not returned, the walk cannot start again",
      state: () => run(cowShared(), { kind: 'hmm_range_fault', notifier: COW_NOTIFIER, seq: 1, start: 0, npages: 1, write: true }).state,
      op: { kind: 'hmm_range_fault', notifier: COW_NOTIFIER, seq: 1, start: 0, npages: 1, write: true },
      reason: 'waits: the COW break of page 0',
    },
    { kernel: 'munmap holds mmap_write_lock: the caller of hmm_range_fault could not hold mmap_read_lock', state: () => run(mirroredAnon(), { kind: 'munmap', mm: 0, start: 0, npages: 1 }).state, op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 1, write: false }, reason: 'waits: mmap_write_lock of mm 0 is held' },
    { kernel: 'a notifier that names nothing is ill-formed', state: world, op: { kind: 'hmm_range_fault', notifier: 9, seq: 0, start: 0, npages: 1, write: false }, reason: 'ill-formed: notifier 9 is not registered' },
    { kernel: "a range outside the notifier's is ill-formed (hmm_range.notifier covers it)", state: mirroredAnon, op: { kind: 'hmm_range_fault', notifier: 2, seq: 1, start: 0, npages: 3, write: false }, reason: 'ill-formed: pages 0-2 are not inside notifier 2' },
  ],
  device_program_pfns: [{ kernel: 'pfns the driver never got are ill-formed', state: world, op: { kind: 'device_program_pfns', dev: IMPORTER }, reason: `ill-formed: no driver thread of device ${IMPORTER} holds pfns from hmm_range_fault` }],
  device_svm_access: [
    { kernel: 'a page the device page table does not map: the device faults (ill-formed as a step)', state: mirroredAnon, op: { kind: 'device_svm_access', dev: IMPORTER, mm: 0, addr: 0, write: false }, reason: `ill-formed: device ${IMPORTER}'s page table has no entry for page 0 of mm 0` },
  ],
  find_vma: [
    { kernel: 'find_vma returns NULL where no VMA covers the address', state: world, op: { kind: 'find_vma', mm: 0, addr: 0 }, reason: 'returns NULL: no vma of mm 0 covers page 0' },
    { kernel: 'an mm that names nothing is ill-formed', state: world, op: { kind: 'find_vma', mm: 9, addr: 0 }, reason: 'ill-formed: no mm 9' },
  ],
  p2p_map: [
    { kernel: "the importer's find_vma fails: -EFAULT", state: world, op: { kind: 'p2p_map', vma: 30, dev: IMPORTER, write: true }, reason: '-EFAULT: vma 30 is not mapped' },
    { kernel: 'the exporter refuses an importer it cannot reach peer-to-peer: -EREMOTEIO', state: () => run(world(), mmapBar(1)).state, op: { kind: 'p2p_map', vma: 1, dev: ISOLATED, write: true }, reason: `-EREMOTEIO: device ${ISOLATED} cannot reach provider ${RAW_EXPORTER} peer-to-peer` },
    { kernel: 'the exporter of a removed provider returns -ENODEV', state: () => run(world(), mmapBar(1), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }).state, op: { kind: 'p2p_map', vma: 1, dev: IMPORTER, write: true }, reason: '-ENODEV: the provider of BAR 1 was removed' },
    { kernel: 'a VMA without the p2p_map vm_op: calling it is ill-formed', state: () => run(world(), mmapAnon(1)).state, op: { kind: 'p2p_map', vma: 1, dev: IMPORTER, write: true }, reason: 'ill-formed: vma 1 has no p2p_map vm_op' },
    { kernel: 'munmap holds mmap_write_lock: the importer waits in mmap_read_lock', state: () => unmapping().state, op: { kind: 'p2p_map', vma: 1, dev: 1, write: true }, reason: 'waits: mmap_write_lock of mm 0 is held' },
    { kernel: 'a writable mapping of a VMA mprotect made read-only: -EPERM, as hmm_range_fault refuses a write fault there', state: () => run(world(), mmapBar(1), { kind: 'mprotect', mm: 0, start: 0, npages: 1, write: false }).state, op: { kind: 'p2p_map', vma: 1, dev: IMPORTER, write: true }, reason: '-EPERM: vma 1 has no VM_WRITE' },
  ],
  p2p_unmap: [
    { kernel: 'a second p2p_unmap is ill-formed', state: () => run(p2pMapped(), { kind: 'p2p_unmap', mapping: 2 }).state, op: { kind: 'p2p_unmap', mapping: 2 }, reason: 'ill-formed: mapping 2 is not live (already torn down)' },
    { kernel: 'the VMA was freed: passing it is ill-formed', state: () => run(p2pMapped(), { kind: 'munmap', mm: 0, start: 0, npages: 1 }).state, op: { kind: 'p2p_unmap', mapping: 2 }, reason: 'ill-formed: vma 1 is not mapped: it was destroyed before p2p_unmap' },
  ],
  sgl_dma_map_user: [
    { kernel: 'no VMA covers the range: -EFAULT', state: world, op: { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: 0, npages: 1, dir: 'to-device' }, reason: '-EFAULT: pages [0, 1) of mm 0 are not inside one vma' },
    { kernel: 'the exporter maps whole windows: -EINVAL', state: () => run(world(), mmapBar(2)).state, op: { kind: 'sgl_dma_map_user', dev: IMPORTER, mm: 0, start: 1, npages: 1, dir: 'to-device' }, reason: '-EINVAL: the exporter maps whole windows' },
    { kernel: 'an unreachable P2PDMA page: -EREMOTEIO', state: () => run(world(), mmapP2pmem(1)).state, op: { kind: 'sgl_dma_map_user', dev: ISOLATED, mm: 0, start: 0, npages: 1, dir: 'to-device' }, reason: `-EREMOTEIO: device ${ISOLATED} cannot reach provider ${P2PDMA_PROVIDER} peer-to-peer` },
  ],
  sgl_dma_unmap: [{ kernel: 'an ordinary struct scatterlist is another C type: ill-formed', state: table, op: { kind: 'sgl_dma_unmap', sgl: 3 }, reason: 'ill-formed: sgl 3 is not a DMA-only table' }],
  dma_map_page: [
    { kernel: 'dma_map_page of a P2PDMA page gives DMA_MAPPING_ERROR since 6.0', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }).state, op: { kind: 'dma_map_page', dev: IMPORTER, page: P2PDMA_BASE, dir: 'to-device' }, reason: `DMA_MAPPING_ERROR: page ${P2PDMA_BASE} is a PCI P2PDMA page` },
    { kernel: 'a raw BAR pfn has no struct page: ill-formed', state: world, op: { kind: 'dma_map_page', dev: IMPORTER, page: RAW_BASE, dir: 'to-device' }, reason: `ill-formed: pfn ${RAW_BASE} has no struct page` },
  ],
  dma_unmap_page: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'dma_unmap_page', mapping: 1, dev: 9, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  dma_map_single: [
    { kernel: 'dma_map_single of a P2PDMA page gives DMA_MAPPING_ERROR since 6.0', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }).state, op: { kind: 'dma_map_single', dev: IMPORTER, page: P2PDMA_BASE, dir: 'to-device' }, reason: `DMA_MAPPING_ERROR: page ${P2PDMA_BASE} is a PCI P2PDMA page` },
  ],
  dma_unmap_single: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'dma_unmap_single', mapping: 1, dev: 9, dir: 'to-device' }, reason: 'ill-formed: no device 9' }],
  dma_mapping_error: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'dma_mapping_error', dev: 9, mapping: 1 }, reason: 'ill-formed: no device 9' }],
  device_release_driver: [{ kernel: 'a device that names nothing is ill-formed', state: world, op: { kind: 'device_release_driver', dev: 9 }, reason: 'ill-formed: no device 9' }],
  store: [
    { kernel: 'a store where no VMA is: SIGSEGV', state: world, op: { kind: 'store', mm: 0, addr: 3 }, reason: 'SIGSEGV: no vma of mm 0 covers page 3' },
    { kernel: 'a store past the end of a file mapping: SIGBUS (filemap_fault)', state: () => run(world(), mmapFile(5)).state, op: { kind: 'store', mm: 0, addr: 4 }, reason: 'SIGBUS: page 4 of vma 1 is past the end of inode 0' },
    { kernel: 'an exited mm runs no code: ill-formed', state: exited, op: { kind: 'store', mm: 0, addr: 0 }, reason: 'ill-formed: mm 0 has exited' },
  ],
  load: [
    { kernel: 'a load from a zapped BAR window: SIGBUS', state: () => run(world(), mmapBar(1), { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER }).state, op: { kind: 'load', mm: 0, addr: 0 }, reason: 'SIGBUS: vma 1 maps device memory whose PTEs were zapped' },
    { kernel: 'a load where no VMA is: SIGSEGV', state: world, op: { kind: 'load', mm: 0, addr: 0 }, reason: 'SIGSEGV: no vma of mm 0 covers page 0' },
  ],
  dma_iova_try_alloc: [
    { kernel: 'dma_iova_try_alloc returns false for a device not behind dma-iommu (use_dma_iommu)', state: () => run(world(), mmapAnon(1), pin(0, 1, true)).state, op: { kind: 'dma_iova_try_alloc', dev: 0, pages: 2 }, reason: 'returns false: device 0 is not behind dma-iommu' },
    { kernel: 'a request built from no page array is ill-formed', state: () => designWorld('blk-dma-iova'), op: { kind: 'dma_iova_try_alloc', dev: 0, pages: 2 }, reason: 'ill-formed: page array 2 is not held' },
  ],
  dma_iova_link: [
    { kernel: 'iommu_map_nosync fails to allocate a page table (-ENOMEM) and unrolls', state: () => run(iovaAllocated(), { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_map' }).state, op: { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 0, dir: 'from-device' }, reason: '-ENOMEM: iommu_map_nosync could not allocate a page table' },
    { kernel: 'the IOMMU page table refuses to map over a linked page (-EEXIST)', state: iovaLinked, op: { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 1, dir: 'from-device' }, reason: '-EEXIST: page 0 of IOVA 3 is already linked' },
    { kernel: 'an offset past the range is ill-formed', state: iovaAllocated, op: { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 2, pages: 2, index: 0, dir: 'from-device' }, reason: 'ill-formed: offset 2 is outside IOVA 3' },
    { kernel: 'a page the request does not have is ill-formed', state: iovaAllocated, op: { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 2, dir: 'from-device' }, reason: 'ill-formed: page array 2 has no page 2' },
    { kernel: 'a freed IOVA state is ill-formed', state: () => run(iovaAllocated(), { kind: 'dma_iova_free', dev: 0, iova: 3 }).state, op: { kind: 'dma_iova_link', dev: 0, iova: 3, offset: 0, pages: 2, index: 0, dir: 'from-device' }, reason: 'ill-formed: device 0 has no IOVA state 3' },
  ],
  dma_iova_sync: [
    { kernel: "the IOMMU driver's iotlb_sync_map fails (-ENOMEM)", state: () => run(iovaLinked(), { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_sync_map' }).state, op: { kind: 'dma_iova_sync', dev: 0, iova: 3, offset: 0, npages: 1 }, reason: "-ENOMEM: the IOMMU driver's iotlb_sync_map failed" },
    { kernel: 'a span past the range is ill-formed', state: iovaLinked, op: { kind: 'dma_iova_sync', dev: 0, iova: 3, offset: 1, npages: 2 }, reason: 'ill-formed: pages 1..2 are outside IOVA 3' },
  ],
  dma_iova_unlink: [{ kernel: 'a span past the range is ill-formed', state: iovaLinked, op: { kind: 'dma_iova_unlink', dev: 0, iova: 3, offset: 0, npages: 3, dir: 'from-device' }, reason: 'ill-formed: pages 0..2 are outside IOVA 3' }],
  dma_iova_destroy: [{ kernel: 'a mapped_len past the range is ill-formed', state: iovaLinked, op: { kind: 'dma_iova_destroy', dev: 0, iova: 3, mapped: 3, dir: 'from-device' }, reason: 'ill-formed: mapped_len of 3 pages is longer than IOVA 3' }],
  dma_iova_free: [{ kernel: "another device's IOVA state is ill-formed", state: iovaAllocated, op: { kind: 'dma_iova_free', dev: 1, iova: 3 }, reason: 'ill-formed: device 1 has no IOVA state 3' }],
  nvme_queue_rq: [
    { kernel: 'a device with no request map path is ill-formed', state: () => run(world(), mmapAnon(1), pin(0, 1, true)).state, op: { kind: 'nvme_queue_rq', dev: 0, pages: 2 }, reason: 'ill-formed: device 0 has no request map path' },
    { kernel: 'a request built from no page array is ill-formed', state: () => designWorld('blk-dma-iova'), op: { kind: 'nvme_queue_rq', dev: 0, pages: 2 }, reason: 'ill-formed: page array 2 is not held' },
  ],
  device_program_iova: [{ kernel: 'a command longer than the range is ill-formed', state: iovaLinked, op: { kind: 'device_program_iova', dev: 0, iova: 3, npages: 3, dir: 'from-device' }, reason: 'ill-formed: 3 pages do not fit IOVA 3' }],
  iommu_fault_inject: [{ kernel: 'arming the same failure twice is ill-formed', state: () => run(iovaPinned(), { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_map' }).state, op: { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_map' }, reason: 'ill-formed: iommu_map of device 0 already fails' }],
  dma_buf_export: [
    { kernel: 'VFIO refuses to export a BAR of a device being removed (-ENODEV)', state: () => run(designWorld('vfio-dmabuf-revoke'), { kind: 'pci_stop_and_remove_bus_device', dev: 0 }).state, op: { kind: 'dma_buf_export', dev: 0, bar: 0 }, reason: '-ENODEV: the provider of BAR 0 is being removed' },
    { kernel: "a BAR of another device is ill-formed", state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_export', dev: 1, bar: 0 }, reason: 'ill-formed: device 1 has no BAR 0' },
    { kernel: 'a second export of memory already exported is ill-formed (the model exports a whole free BAR)', state: () => run(designWorld('vfio-dmabuf-revoke'), { kind: 'dma_buf_export', dev: 0, bar: 0 }).state, op: { kind: 'dma_buf_export', dev: 0, bar: 0 }, reason: 'ill-formed: BAR 0 has memory in use elsewhere' },
    { kernel: 'the model exports raw MMIO only: a P2PDMA BAR is ill-formed', state: world, op: { kind: 'dma_buf_export', dev: 0, bar: P2PDMA_BAR }, reason: 'ill-formed: BAR 0 holds P2PDMA pages' },
  ],
  dma_buf_dynamic_attach: [
    { kernel: "vfio_pci_dma_buf_attach refuses an importer without allow_peer2peer (-EOPNOTSUPP)", state: () => run(designWorld('vfio-dmabuf-revoke'), { kind: 'dma_buf_export', dev: 0, bar: 0 }).state, op: { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: false }, reason: '-EOPNOTSUPP: ' },
    { kernel: 'an importer whose driver has no move_notify in the model is ill-formed', state: () => run(designWorld('vfio-dmabuf-revoke'), { kind: 'dma_buf_export', dev: 0, bar: 0 }).state, op: { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 0, peer2peer: true }, reason: "ill-formed: device 0's driver has no move_notify" },
    { kernel: 'no such dma-buf: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }, reason: 'ill-formed: no dma-buf 1' },
    { kernel: 'vfio_pci_dma_buf_attach refuses a revoked buffer (-ENODEV)', state: () => run(designWorld('vfio-dmabuf-revoke'), { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 }).state, op: { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }, reason: '-ENODEV: dma-buf 1 was revoked' },
  ],
  dma_buf_unpin: [{ kernel: 'no such attachment: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_unpin', attachment: 2 }, reason: 'ill-formed: no attachment 2' }],
  dma_buf_pin: [
    { kernel: "since 6.19 VFIO's dma-buf pin op refuses (vfio_pci_dma_buf_pin, -EOPNOTSUPP)", state: dmabufAttached, op: { kind: 'dma_buf_pin', attachment: 2 }, reason: "-EOPNOTSUPP: VFIO's dma-buf cannot be pinned" },
    { kernel: 'no such attachment: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_pin', attachment: 2 }, reason: 'ill-formed: no attachment 2' },
  ],
  dma_resv_lock: [
    { kernel: 'dma_resv_lock sleeps while another driver holds the lock: waits', state: () => run(dmabufAttached(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 0 }).state, op: { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 }, reason: "waits: the reservation lock of dma-buf 1 is held by device 0's driver" },
    { kernel: 'no such dma-buf: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 }, reason: 'ill-formed: no dma-buf 1' },
  ],
  dma_resv_unlock: [
    {
      kernel: "the exporter's thread makes no call while a move_notify it called still runs (dma_buf_move_notify has not returned)",
      state: () => run(dmabufAttached(), { kind: 'driver_revoke', dev: 0, dmabuf: 1 }, { kind: 'dma_resv_lock', dmabuf: 1, dev: 0, by: 3 }, { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1, by: 3 }, { kind: 'dma_buf_move_notify', dmabuf: 1, by: 3 }).state,
      op: { kind: 'dma_resv_unlock', dmabuf: 1, dev: 0, by: 3 },
      reason: "waits: dma_buf_move_notify has not returned: device 1's move_notify runs as thread 4",
    },
    { kernel: 'unlocking a lock this driver does not hold is ill-formed', state: dmabufAttached, op: { kind: 'dma_resv_unlock', dmabuf: 1, dev: 1 }, reason: "ill-formed: device 1's driver does not hold" },
  ],
  dma_buf_map_attachment: [
    {
      kernel: "dma_buf_phys_vec_to_sgt's dma_iova_sync fails through the host bridge, and err_unmap_dma destroys what was linked (-ENOMEM)",
      state: () => run(designWorld('vfio-dmabuf-phys'), { kind: 'iommu_fault_inject', dev: 1, call: 'iommu_sync_map' }, { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }).state,
      op: { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' },
      reason: '-ENOMEM: dma_buf_phys_vec_to_sgt: dma_iova_sync failed',
    },
    { kernel: "VFIO's map_dma_buf refuses a revoked dma-buf (-ENODEV)", state: () => run(dmabufNotifying(), { kind: 'move_notify_return', attachment: 2, by: 3 }).state, op: { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' }, reason: '-ENODEV: dma-buf 1 was revoked' },
    {
      kernel: "dma_buf_phys_vec_to_sgt refuses an importer pci_p2pdma_map_type says cannot reach the BAR (its default case, -EINVAL)",
      state: () => { const s = dmabufAttached(); return { ...s, devices: s.devices.map((d) => ({ ...d, p2pPeers: [] })) }; },
      op: { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' },
      reason: '-EINVAL: dma_buf_phys_vec_to_sgt: pci_p2pdma_map_type says device 1 cannot reach provider 0',
    },
    { kernel: 'no such attachment: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' }, reason: 'ill-formed: no attachment 2' },
  ],
  dma_buf_unmap_attachment: [{ kernel: 'a table that is not live is ill-formed (a second unmap)', state: dmabufAttached, op: { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 3 }, reason: 'ill-formed: mapping 3 is not a live table of attachment 2' }],
  dma_buf_move_notify: [
    { kernel: 'no such dma-buf: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_buf_move_notify', dmabuf: 1 }, reason: 'ill-formed: no dma-buf 1' },
    { kernel: 'a second call from inside the first is ill-formed', state: dmabufNotifying, op: { kind: 'dma_buf_move_notify', dmabuf: 1 }, reason: 'ill-formed: the exporter is already inside dma_buf_move_notify' },
  ],
  move_notify_return: [{ kernel: 'only the callback itself returns: a return with no thread is ill-formed', state: dmabufNotifying, op: { kind: 'move_notify_return', attachment: 2 }, reason: "ill-formed: only attachment 2's move_notify itself returns" }],
  vfio_pci_dma_buf_revoke: [{ kernel: 'no such dma-buf: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 }, reason: 'ill-formed: no dma-buf 1' }],
  driver_map_attachment: [
    { kernel: 'a device with no dma-buf map path is ill-formed', state: dmabufAttached, op: { kind: 'driver_map_attachment', dev: 0, attachment: 2 }, reason: 'ill-formed: device 0 has no dma-buf map path' },
    { kernel: "another device's attachment is ill-formed", state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'driver_map_attachment', dev: 1, attachment: 2 }, reason: "ill-formed: attachment 2 is not one of device 1's" },
  ],
  driver_revoke: [
    { kernel: 'a device with no revoke path is ill-formed', state: dmabufAttached, op: { kind: 'driver_revoke', dev: 1, dmabuf: 1 }, reason: 'ill-formed: device 1 has no dma-buf revoke path' },
    { kernel: "a dma-buf the device did not export is ill-formed", state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'driver_revoke', dev: 0, dmabuf: 1 }, reason: 'ill-formed: dma-buf 1 is not one device 0 exported' },
  ],
  driver_keep_sgt: [{ kernel: 'only the thread that mapped the table keeps it', state: dmabufMapped, op: { kind: 'driver_keep_sgt', dev: 1, attachment: 2, mapping: 3 }, reason: 'ill-formed: only the thread of device 1 that mapped attachment 2' }],
  driver_drop_sgt: [{ kernel: 'a table the driver does not keep is ill-formed', state: dmabufMapped, op: { kind: 'driver_drop_sgt', dev: 1, mapping: 3 }, reason: "ill-formed: device 1's driver keeps no mapping 3" }],
  dma_resv_add_fence: [
    { kernel: 'a table that is not a live dma-buf table of the device is ill-formed', state: dmabufAttached, op: { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 }, reason: 'ill-formed: mapping 3 is not a live dma-buf table of device 1' },
    { kernel: "another dma-buf's fence list is ill-formed", state: dmabufMapped, op: { kind: 'dma_resv_add_fence', dmabuf: 7, dev: 1, mapping: 3 }, reason: 'ill-formed: mapping 3 is not a table of dma-buf 7' },
  ],
  dma_fence_signal: [{ kernel: 'no such unsignalled fence: ill-formed', state: dmabufMapped, op: { kind: 'dma_fence_signal', job: 4 }, reason: 'ill-formed: no unsignalled fence of job 4' }],
  dma_resv_wait_timeout: [
    { kernel: 'dma_resv_wait_timeout sleeps while a fence has not signalled: waits', state: () => run(dmabufMapped(), { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 }).state, op: { kind: 'dma_resv_wait_timeout', dmabuf: 1 }, reason: 'waits: the fence(s) of job 4 have not signalled' },
    { kernel: 'no such dma-buf: ill-formed', state: () => designWorld('vfio-dmabuf-revoke'), op: { kind: 'dma_resv_wait_timeout', dmabuf: 1 }, reason: 'ill-formed: no dma-buf 1' },
  ],
  mlx5r_umr_update_mr_pas: [
    { kernel: 'programming a region from a table the device does not have is ill-formed', state: dmabufAttached, op: { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 3, zap: false }, reason: 'ill-formed: mapping 3 is not a live dma-buf table of device 1' },
    { kernel: 'no such device: ill-formed', state: dmabufAttached, op: { kind: 'mlx5r_umr_update_mr_pas', dev: 9, mapping: 3, zap: true }, reason: 'ill-formed: no device 9' },
  ],
};

/**
 * The ops whose every model rejection is ill-formed or a wait: the kernel
 * never refuses them (void calls, queries, driver actions, the device), or
 * their only failure is not modelled. For each, a misuse is accepted as a
 * step; the invariants judge it.
 */
interface Misuse {
  /** Why the kernel does not refuse it. */
  readonly why: string;
  readonly misuse: string;
  readonly state: () => State;
  readonly op: Op;
}

const NEVER_REFUSED: { readonly [K in OpKind]?: Misuse } = {
  clear_refs: {
    why: "its only errors are the written string's (-EINVAL), which the op's argument cannot get wrong",
    misuse: 'soft-dirty clearing of a process with a pinned page, before 5.11 (9348b73c2e1b): the pinned page is write-protected and the next store copies it away from the pin',
    state: () => run(world(era59), mmapAnon(1), pin(0, 1, true, { longterm: true })).state,
    op: { kind: 'clear_refs', mm: 0 },
  },
  ptep_set_wrprotect: {
    why: "void: fork's own step",
    misuse: 'write-protecting a page that pin_user_pages_fast pinned after fork found it unpinned (before 5.11): the pin stays, on a page now copy-on-write in both processes',
    state: () => run(makeWorld({ ...worldSpec({ ...currentEra, gupFastChecksWriteProtectSeq: false }), forkSteps: true }), mmapAnon(1), writeFault(0), { kind: 'fork', mm: 0 }, pinFast(0)).state,
    op: { kind: 'ptep_set_wrprotect', mm: 0 },
  },
  exit_mmap: { why: 'void', misuse: 'exit while a driver still holds a pin on its memory', state: () => run(world(), mmapAnon(1), pin(0, 1, true)).state, op: { kind: 'exit_mmap', mm: 0 } },
  put_page: { why: 'void', misuse: 'put_page while the pages are still mapped for DMA', state: () => { const s = table(); return run(s, { kind: 'dma_map_sg', dev: IMPORTER, sgl: 3, dir: 'from-device' }).state; }, op: { kind: 'put_page', pages: 2 } },
  unpin_user_pages: { why: 'void', misuse: 'unpin without dirtying a file page a device wrote', state: () => deviceWrote(mmapFile(1)), op: { kind: 'unpin_user_pages', pages: 2 } },
  unpin_user_page: {
    why: 'void',
    misuse: 'a second release: unpinning again, through the page pointer, a page already given back with unpin_user_pages',
    state: () => run(world(), mmapAnon(1), pin(0, 1, true), { kind: 'unpin_user_pages', pages: 2 }).state,
    op: { kind: 'unpin_user_page', page: 0 },
  },
  unpin_user_pages_dirty_lock: { why: 'void', misuse: 'unpin with make_dirty false after a device wrote', state: () => deviceWrote(mmapAnon(1)), op: { kind: 'unpin_user_pages_dirty_lock', pages: 2, make_dirty: false } },
  pipe_read: { why: "its errors (-EAGAIN on an empty pipe, -EFAULT for the reader's buffer) are not modelled", misuse: 'reading a pipe whose spliced page its writer has changed since (the reader gets what the page holds now)', state: () => run(world(), mmapAnon(1), { kind: 'vmsplice', mm: 0, start: 0, npages: 1 }, { kind: 'store', mm: 0, addr: 0 }).state, op: { kind: 'pipe_read', pages: 2 } },
  set_page_dirty_lock: { why: 'int, never an error for a locked page', misuse: 'dirtying FOLL_GET pages of a file mapping whose buffers reclaim may drop', state: () => run(world(), mmapFile(1), gup(0, 1, true)).state, op: { kind: 'set_page_dirty_lock', pages: 2 } },
  sg_alloc_table_from_pages: { why: 'its only failure, -ENOMEM from the allocator, is not modelled', misuse: 'a table over pages taken without FOLL_WRITE (and then mapped for the device to write)', state: () => run(world(), mmapAnon(1), gup(0, 1, false)).state, op: { kind: 'sg_alloc_table_from_pages', pages: 2 } },
  sg_set_page: { why: 'void', misuse: 'sg_set_page of a free page (it only stores the pointer)', state: () => run(world(), { kind: 'sg_alloc_table', nents: 1 }).state, op: { kind: 'sg_set_page', sgl: 1, index: 0, page: 5 } },
  sg_free_table: { why: 'void', misuse: 'sg_free_table of a table still mapped for DMA', state: mapped, op: { kind: 'sg_free_table', sgl: 3 } },
  sg_virt: { why: 'returns a pointer, never an error', misuse: 'sg_virt of a P2PDMA page: a CPU access to __iomem', state: p2pTable, op: { kind: 'sg_virt', sgl: 1, index: 0 } },
  kmap_local_page: { why: 'returns a pointer, never an error', misuse: 'kmap_local_page of a P2PDMA page', state: p2pTable, op: { kind: 'kmap_local_page', sgl: 1, index: 0 } },
  sg_copy_to_buffer: { why: 'returns the bytes copied', misuse: 'a table whose entry was never set (sg_page() is NULL)', state: () => run(world(), { kind: 'sg_alloc_table', nents: 1 }).state, op: { kind: 'sg_copy_to_buffer', sgl: 1 } },
  memcpy_toio: { why: 'void', misuse: 'memcpy_toio to a P2PDMA page that was freed', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'pci_free_p2pmem', page: P2PDMA_BASE }).state, op: { kind: 'memcpy_toio', page: P2PDMA_BASE } },
  dma_unmap_sg: { why: 'void', misuse: 'a second dma_unmap_sg of the same handle', state: () => run(mapped(), { kind: 'dma_unmap_sg', mapping: 4, dev: IMPORTER, nents: 2, dir: 'to-device' }).state, op: { kind: 'dma_unmap_sg', mapping: 4, dev: IMPORTER, nents: 2, dir: 'to-device' } },
  dma_sync_sg_for_cpu: { why: 'void', misuse: 'a sync of a handle that is not mapped', state: world, op: { kind: 'dma_sync_sg_for_cpu', mapping: 4, dev: IMPORTER, nents: 2, dir: 'to-device' } },
  dma_sync_sg_for_device: { why: 'void', misuse: 'a sync with the wrong direction', state: mapped, op: { kind: 'dma_sync_sg_for_device', mapping: 4, dev: IMPORTER, nents: 2, dir: 'from-device' } },
  device_write: { why: 'a device access, no kernel call', misuse: 'a DMA write into pages already released to the allocator', state: () => { const s = table(); const m = run(s, { kind: 'dma_map_sg', dev: IMPORTER, sgl: 3, dir: 'from-device' }).state; return run(m, { kind: 'put_page', pages: 2 }, { kind: 'munmap', mm: 0, start: 0, npages: 2 }).state; }, op: { kind: 'device_write', mapping: 4, index: 0 } },
  device_read: { why: 'a device access, no kernel call', misuse: 'a peer read through an address that reaches nothing (pci_p2pdma_map_sg of a RAM page, 2019)', state: () => { const s = table(); return run(s, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: 3, dir: 'to-device' }).state; }, op: { kind: 'device_read', mapping: 4, index: 0 } },
  pci_free_p2pmem: { why: 'void', misuse: 'pci_free_p2pmem while the page is still mapped for DMA', state: () => { const s = p2pTable(); return run(s, { kind: 'pci_p2pdma_map_sg', dev: IMPORTER, sgl: 1, dir: 'to-device' }).state; }, op: { kind: 'pci_free_p2pmem', page: P2PDMA_BASE } },
  pci_p2pdma_unmap_sg: { why: 'void', misuse: 'pci_p2pdma_unmap_sg of a dma_map_sg mapping leaves it mapped', state: mapped, op: { kind: 'pci_p2pdma_unmap_sg', mapping: 4, dev: IMPORTER, nents: 2, dir: 'to-device' } },
  pci_stop_and_remove_bus_device: { why: 'void', misuse: 'removal while an importer holds p2p_map addresses of the BAR', state: p2pMapped, op: { kind: 'pci_stop_and_remove_bus_device', dev: RAW_EXPORTER } },
  memunmap_pages: { why: 'void: the end of a wait', misuse: 'none possible: it completes once every page is free', state: () => run(world(), { kind: 'pci_alloc_p2pmem', bar: P2PDMA_BAR }, { kind: 'pci_stop_and_remove_bus_device', dev: P2PDMA_PROVIDER }, { kind: 'pci_free_p2pmem', page: P2PDMA_BASE }).state, op: { kind: 'memunmap_pages', dev: P2PDMA_PROVIDER } },
  mmu_interval_notifier_remove: { why: 'void', misuse: 'remove while the device still holds the p2p_map addresses of the range', state: () => run(p2pMapped(), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state, op: { kind: 'mmu_interval_notifier_remove', notifier: 3 } },
  device_program_pfns: { why: 'a driver writing its own device page table, no kernel call', misuse: 'programming pfns migration has moved since hmm_range_fault (no read_retry check)', state: mirrorOvertaken, op: { kind: 'device_program_pfns', dev: IMPORTER, by: 3 } },
  device_svm_access: { why: 'a device access, no kernel call', misuse: 'a device read of a page migration freed, through an entry programmed without read_retry', state: () => run(mirrorOvertaken(), { kind: 'device_program_pfns', dev: IMPORTER, by: 3 }).state, op: { kind: 'device_svm_access', dev: IMPORTER, mm: 0, addr: 0, write: false } },
  mmu_interval_read_begin: { why: 'returns the seq', misuse: 'read_begin twice without a retry check', state: () => run(world(), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }, { kind: 'mmu_interval_read_begin', notifier: 1 }).state, op: { kind: 'mmu_interval_read_begin', notifier: 1 } },
  mmu_interval_read_retry: { why: 'returns a bool', misuse: 'retry with a seq never read', state: () => run(world(), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state, op: { kind: 'mmu_interval_read_retry', notifier: 1, seq: 42 } },
  mmu_interval_set_seq: { why: 'void', misuse: 'set_seq outside an invalidate callback (the model does not check)', state: () => run(world(), { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: IMPORTER }).state, op: { kind: 'mmu_interval_set_seq', notifier: 1, seq: 3 } },
  invalidate_callback_return: {
    why: 'a return to the kernel, no call',
    misuse: 'a callback that returns true while its device keeps the addresses (record-only)',
    state: () => {
      const { state, thread } = unmapping('vma-p2p-map-notifier-nostop');
      const r = runThread(state, thread);
      // run every call but the return
      return run(state, ...r.ops.slice(0, -1)).state;
    },
    op: { kind: 'invalidate_callback_return', notifier: 2, ret: true, by: 4 },
  },
  mmu_notifier_invalidate_range_end: {
    why: 'void',
    misuse: 'none possible: it runs once every callback returned',
    state: () => {
      const { state, thread } = unmapping();
      return runThread(state, thread).state;
    },
    op: { kind: 'mmu_notifier_invalidate_range_end', inv: 3 },
  },
  driver_map_range: { why: 'a driver action', misuse: 'map a range while an invalidation of it runs', state: () => unmapping().state, op: { kind: 'driver_map_range', dev: 1, notifier: 2 } },
  driver_lock: { why: 'a driver action (mutex_lock)', misuse: 'lock with nothing to protect', state: world, op: { kind: 'driver_lock', dev: IMPORTER } },
  driver_unlock: { why: 'a driver action', misuse: 'unlock a mutex that is not held (the kernel only warns)', state: world, op: { kind: 'driver_unlock', dev: IMPORTER } },
  device_program: { why: 'a driver action', misuse: 'program addresses p2p_map gave without a retry check', state: p2pMapped, op: { kind: 'device_program', dev: IMPORTER, mapping: 2 } },
  device_stop_dma: { why: 'a driver action', misuse: 'stop a range nothing was programmed for', state: world, op: { kind: 'device_stop_dma', dev: IMPORTER, mm: 0, start: 0, npages: 1 } },
  device_write_protect: { why: 'a driver action', misuse: 'write-protect a range nothing was programmed for', state: world, op: { kind: 'device_write_protect', dev: IMPORTER, mm: 0, start: 0, npages: 1 } },
  driver_return: { why: 'a driver action', misuse: 'return success whatever happened', state: world, op: { kind: 'driver_return', dev: IMPORTER, err: '0' } },
  driver_record: {
    why: "a driver action (list_add into the driver's own list)",
    misuse: "record a p2p_map mapping after an invalidation of its range already ran (hmm-map-literal's order)",
    state: () => {
      const { state: s1 } = run(designWorld('vma-p2p-map-notifier-hmm-literal'), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }, { kind: 'driver_map_range', dev: 1, notifier: 2 });
      return runThread(s1, 3, 8).state;
    },
    op: { kind: 'driver_record', dev: 1, mapping: 4, by: 3 },
  },
  driver_forget: {
    why: "a driver action (list_del from the driver's own list)",
    misuse: 'forget a mapping the device is still programmed with',
    state: () => {
      const { state: s1 } = run(designWorld('vma-p2p-map-notifier'), { kind: 'mmap', mm: 0, npages: 1, backing: { kind: 'bar', bar: 0 } }, { kind: 'mmu_interval_notifier_insert', mm: 0, start: 0, npages: 1, owner: 1 }, { kind: 'driver_map_range', dev: 1, notifier: 2 });
      return runThread(s1, 3).state;
    },
    op: { kind: 'driver_forget', dev: 1, mapping: 4 },
  },
  mmput: { why: 'void', misuse: 'drop a reference the caller never took (mm_users is still 1)', state: world, op: { kind: 'mmput', mm: 0 } },
  mmap_read_lock: { why: 'void (it sleeps, never fails)', misuse: 'take the read lock with no reason to', state: world, op: { kind: 'mmap_read_lock', mm: 0 } },
  mmap_read_unlock: { why: 'void', misuse: "unlock a read lock another thread took", state: () => run(world(), { kind: 'mmap_read_lock', mm: 0 }).state, op: { kind: 'mmap_read_unlock', mm: 0 } },
  p2p_unmap: { why: 'the RFC op returns a long but its exporter has nothing to refuse', misuse: 'p2p_unmap while the device is still programmed with the addresses', state: () => run(p2pMapped(), { kind: 'device_program', dev: IMPORTER, mapping: 2 }).state, op: { kind: 'p2p_unmap', mapping: 2 } },
  sgl_dma_unmap: { why: 'void', misuse: 'unmap with nothing making sure the device stopped using the addresses', state: dmaOnly, op: { kind: 'sgl_dma_unmap', sgl: 4 } },
  dma_unmap_page: { why: 'void', misuse: 'unmap with another device leaves the mapping', state: () => run(world(), { kind: 'dma_map_page', dev: IMPORTER, page: 0, dir: 'to-device' }).state, op: { kind: 'dma_unmap_page', mapping: 1, dev: ISOLATED, dir: 'to-device' } },
  dma_unmap_single: { why: 'void', misuse: 'dma_unmap_single of a dma_map_page mapping', state: () => run(world(), { kind: 'dma_map_page', dev: IMPORTER, page: 0, dir: 'to-device' }).state, op: { kind: 'dma_unmap_single', mapping: 1, dev: IMPORTER, dir: 'to-device' } },
  dma_mapping_error: { why: 'returns 0 or -ENOMEM about an address, never refuses', misuse: 'check a handle that was never mapped', state: world, op: { kind: 'dma_mapping_error', dev: IMPORTER, mapping: 7 } },
  device_release_driver: { why: 'void', misuse: 'unbind with DMA mappings still live', state: mapped, op: { kind: 'device_release_driver', dev: IMPORTER } },
  dma_resv_lock: { why: 'sleeps, never fails without a ww_acquire_ctx', misuse: 'lock with nothing to protect', state: dmabufAttached, op: { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 } },
  dma_resv_unlock: { why: 'void', misuse: 'unlock in the middle of a map path, before keeping the table', state: () => run(dmabufAttached(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 }, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional' }).state, op: { kind: 'dma_resv_unlock', dmabuf: 1, dev: 1 } },
  dma_buf_unmap_attachment: { why: 'void', misuse: 'unmap without the reservation lock (lockdep only warns)', state: dmabufMapped, op: { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 3 } },
  dma_buf_move_notify: { why: 'void', misuse: 'move_notify without the reservation lock held', state: dmabufMapped, op: { kind: 'dma_buf_move_notify', dmabuf: 1 } },
  move_notify_return: { why: 'a return to the core, no call', misuse: 'a move_notify that returns leaving the table mapped', state: dmabufNotifying, op: { kind: 'move_notify_return', attachment: 2, by: 3 } },
  vfio_pci_dma_buf_revoke: { why: 'a flag VFIO sets (priv->revoked)', misuse: 'revoke without the reservation lock and without move_notify', state: dmabufMapped, op: { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 } },
  driver_map_attachment: { why: 'a driver action', misuse: 'map an attachment VFIO is revoking right now', state: () => run(dmabufNotifying(), { kind: 'move_notify_return', attachment: 2, by: 3 }).state, op: { kind: 'driver_map_attachment', dev: 1, attachment: 2 } },
  driver_keep_sgt: {
    why: 'a driver action',
    misuse: 'keep a table after the reservation lock was dropped (map path without the lock)',
    state: () => {
      const s = run(designWorld('vfio-dmabuf-map-unlocked'), { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }, { kind: 'driver_map_attachment', dev: 1, attachment: 2 }).state;
      return run(s, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional', by: 3 }).state;
    },
    op: { kind: 'driver_keep_sgt', dev: 1, attachment: 2, mapping: 4, by: 3 },
  },
  driver_drop_sgt: {
    why: 'a driver action',
    misuse: 'drop a table still mapped (leak it)',
    state: () => {
      const s = run(designWorld('vfio-dmabuf-map-unlocked'), { kind: 'dma_buf_export', dev: 0, bar: 0 }, { kind: 'dma_buf_dynamic_attach', dmabuf: 1, dev: 1, peer2peer: true }, { kind: 'driver_map_attachment', dev: 1, attachment: 2 }).state;
      return run(s, { kind: 'dma_buf_map_attachment', attachment: 2, dir: 'bidirectional', by: 3 }, { kind: 'driver_keep_sgt', dev: 1, attachment: 2, mapping: 4, by: 3 }).state;
    },
    op: { kind: 'driver_drop_sgt', dev: 1, mapping: 4 },
  },
  dma_resv_add_fence: { why: 'void', misuse: 'publish a fence without the reservation lock (lockdep only warns)', state: dmabufMapped, op: { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 } },
  dma_fence_signal: { why: 'the device finishing its work, no call', misuse: 'a job finishing after its table was unmapped (it ran on the old addresses all along)', state: () => run(dmabufMapped(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 1 }, { kind: 'dma_resv_add_fence', dmabuf: 1, dev: 1, mapping: 3 }, { kind: 'dma_buf_unmap_attachment', attachment: 2, mapping: 3 }).state, op: { kind: 'dma_fence_signal', job: 4 } },
  dma_resv_wait_timeout: { why: 'returns the time left, never an error with MAX_SCHEDULE_TIMEOUT', misuse: 'wait without the reservation lock (new fences can come in meanwhile)', state: dmabufMapped, op: { kind: 'dma_resv_wait_timeout', dmabuf: 1 } },
  mlx5r_umr_update_mr_pas: { why: 'a driver programming its own device', misuse: 'program the region from a table of a revoked dma-buf', state: () => run(dmabufMapped(), { kind: 'dma_resv_lock', dmabuf: 1, dev: 0 }, { kind: 'vfio_pci_dma_buf_revoke', dmabuf: 1 }).state, op: { kind: 'mlx5r_umr_update_mr_pas', dev: 1, mapping: 3, zap: false } },
  dma_iova_unlink: { why: 'void', misuse: 'unlink a page that was never linked (iommu_unmap unmaps nothing; WARN_ON)', state: iovaLinked, op: { kind: 'dma_iova_unlink', dev: 0, iova: 3, offset: 1, npages: 1, dir: 'from-device' } },
  dma_iova_destroy: { why: 'void', misuse: 'destroy with a mapped_len longer than what was linked (the block layer before 81e7223b1a2d)', state: iovaLinked, op: { kind: 'dma_iova_destroy', dev: 0, iova: 3, mapped: 2, dir: 'from-device' } },
  dma_iova_free: { why: 'void, and it checks nothing', misuse: 'free the range with a page still linked', state: iovaLinked, op: { kind: 'dma_iova_free', dev: 0, iova: 3 } },
  nvme_queue_rq: { why: 'a driver action', misuse: 'queue a request while the IOMMU fails every page-table allocation', state: () => run(iovaPinned(), { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_map' }).state, op: { kind: 'nvme_queue_rq', dev: 0, pages: 2 } },
  device_program_iova: { why: 'a driver programming its own device', misuse: 'hand the device the whole range with only page 0 linked and nothing synced', state: iovaLinked, op: { kind: 'device_program_iova', dev: 0, iova: 3, npages: 2, dir: 'from-device' } },
  iommu_fault_inject: { why: 'fault injection, no call a driver makes', misuse: 'make the sync fail between a link and its sync', state: iovaLinked, op: { kind: 'iommu_fault_inject', dev: 0, call: 'iommu_sync_map' } },
  dma_buf_unpin: { why: 'void', misuse: 'unpin without the reservation lock (lockdep only warns)', state: dmabufAttached, op: { kind: 'dma_buf_unpin', attachment: 2 } },
  driver_revoke: { why: 'a driver action', misuse: 'revoke while the importer is in the middle of its map path', state: () => run(dmabufAttached(), { kind: 'driver_map_attachment', dev: 1, attachment: 2 }).state, op: { kind: 'driver_revoke', dev: 0, dmabuf: 1 } },
};

/** Does a reason name a kernel error (not ill-formed, not a wait)? */
const kernelError = (reason: string): boolean => namesAnError(reason) && !reason.startsWith('ill-formed: ');

describe('every op kind has rejected inputs, each naming the error the kernel returns there', () => {
  it('the table covers every op kind of model/op.ts', () => {
    expect(Object.keys(REJECTIONS).sort()).toEqual(Object.keys(opArgs).sort());
    for (const [kind, cases] of Object.entries(REJECTIONS)) expect(cases.length, kind).toBeGreaterThan(0);
  });

  it('an op is listed as never refused exactly when none of its rejections is a kernel error', () => {
    const withoutError = Object.entries(REJECTIONS)
      .filter(([, cases]) => !cases.some((c) => kernelError(c.reason)))
      .map(([k]) => k)
      .sort();
    expect(withoutError).toEqual(Object.keys(NEVER_REFUSED).sort());
  });

  for (const [kind, cases] of Object.entries(REJECTIONS)) {
    for (const c of cases) {
      it(`${kind}: ${c.kernel} (${c.reason.split(': ')[0]})`, () => {
        expect(c.op.kind).toBe(kind);
        const reason = rejectedWith(c.state(), c.op);
        expect(reason.slice(0, c.reason.length)).toBe(c.reason);
      });
    }
  }
});

describe('the ops the kernel never refuses: a misuse is a step', () => {
  for (const [kind, n] of Object.entries(NEVER_REFUSED)) {
    it(`${kind} (${n.why}): ${n.misuse} is accepted`, () => {
      expect(n.op.kind).toBe(kind);
      accept(n.state(), n.op);
    });
  }
});

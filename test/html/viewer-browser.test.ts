/**
 * The HTML viewer in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download). Skipped, saying so, only when
 * /usr/bin/chromium is not installed; `.ci/run` installs it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlPage } from '../../cli/cite/html.ts';
import { viewOf, type ViewData } from '../../cli/cite/html-states.ts';
import { corpusFiles } from '../../cli/replay.ts';
import { citationOf } from '../../properties/counterexample/cite.ts';
import { loadCounterexample } from '../../properties/counterexample/load.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const skipNote = `SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium)`;
if (!haveChromium) console.warn(`test/html/viewer-browser.test.ts: ${skipNote}`);

const viewData = (f: string): ViewData => {
  const r = loadCounterexample(f);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return viewOf(r.right, citationOf(r.right));
};

/** The sections the viewer draws for today's state, in order. */
const SECTIONS = ['mms', 'frames', 'devices', 'inodes', 'pageArrays', 'sgls', 'mappings', 'notifiers', 'invalidations', 'threads', 'dmaBufs', 'iovas', 'swap', 'deviceRanges', 'era'];

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Buffer): { width: number; height: number } => {
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
};

describe.skipIf(!haveChromium)(haveChromium ? 'the HTML viewer in headless Chromium' : `the HTML viewer in headless Chromium (${skipNote})`, () => {
  let dir = '';
  let context: BrowserContext;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dmacheck-viewer-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context.on('request', (r) => requests.push(r.url()));
    context.on('page', (p) => {
      p.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Write the page for `d`, open it, and check it loaded cleanly: no error, no request but the page itself.
   * One tab, navigated from page to page: a new document each time, and a new tab costs more than the checks on it.
   */
  let tab: Page | undefined;
  const open = async (name: string, d: ViewData): Promise<Page> => {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, htmlPage(d));
    const url = pathToFileURL(file).href;
    problems.length = 0;
    requests.length = 0;
    tab ??= await context.newPage();
    const page = tab;
    await page.goto(url);
    await page.waitForSelector('#view h2');
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    return page;
  };

  /** One round trip: which button is aria-current, and the heading of the view; returns how many #violation the view shows. */
  const expectSelected = async (page: Page, i: number, n: number): Promise<number> => {
    const seen = await page.evaluate<{ current: (string | null)[]; heading: string; violations: number }>(`({
      current: [...document.querySelectorAll('#steps button')].map((b) => b.getAttribute('aria-current')),
      heading: document.querySelector('#view h2').textContent,
      violations: document.querySelectorAll('#violation').length,
    })`);
    expect(seen.current).toEqual(Array.from({ length: n }, (_, j) => (j === i ? 'step' : null)));
    expect(seen.heading).toMatch(i === 0 ? /^Initial state/ : new RegExp(`^Step ${i} of ${n - 1}: `));
    return seen.violations;
  };

  // Every step by click and keyboard for the shortest trace of each family of designs (the
  // GUP designs, P2PDMA pages, the VMA ops without and with driver threads, the HMM mirrors,
  // the block path to p2pmem, the DMA-only table, the misuse catalogue, the vmsplice eras, the
  // dma-buf importers and exporters): the pages of one
  // family differ in data, not in what the viewer does with it. The first trace of every other
  // design opens at its violation (read, drawn and checked); the other traces of a design
  // differ from it in data only, and every corpus page is decoded and checked without a
  // browser in test/html/report-html.test.ts.
  const byLength = (f: string): number => viewData(f).steps.length;
  const all = corpusFiles('counterexamples');
  const designOf = (f: string): string => f.split('/').at(-2)!;
  const firstOfDesign = all.filter((f, i) => all.findIndex((g) => designOf(g) === designOf(f)) === i);
  const files = [...firstOfDesign].sort((a, b) => byLength(a) - byLength(b) || a.localeCompare(b));
  const family = (design: string): string =>
    design
      .replace(/-(5\.9|set-page-dirty|user-pages)$/, '')
      .replace(/^vma-p2p-map-notifier.*/, 'vma-p2p-map-notifier')
      .replace(/^hmm-mirror.*/, 'hmm-mirror')
      .replace(/^foll-pci-p2pdma.*/, 'foll-pci-p2pdma')
      .replace(/^vmsplice.*/, 'vmsplice')
      .replace(/^(vfio-)?dmabuf.*/, 'dmabuf')
      .replace(/^(gup|pin-user-pages|pin-fork-gup-fast|pin-swap|pin-soft-dirty).*/, 'gup');
  // The keyboard passes (j/k, arrows) are the viewer's navigation, the same for every page: the
  // first walked trace takes them; every walked trace is clicked through step by step.
  const walked = new Set<string>();
  for (const f of files) {
    const design = family(f.split('/').at(-2)!);
    const walk = !walked.has(design);
    const keys = walked.size === 0;
    walked.add(design);
    it(`${f}: ${walk ? `every step by click${keys ? ' and by keyboard' : ''}, ` : ''}the violation and its message at its step`, async () => {
      const d = viewData(f);
      const n = d.steps.length;
      const page = await open(f.replace(/[^a-z0-9]+/gi, '_'), d);
      expect(await page.locator('#steps button').count()).toBe(n);
      await expectSelected(page, 0, n);

      const keysToWalk = keys ? ([['j', 'ArrowDown', 'ArrowRight'], ['k', 'ArrowUp', 'ArrowLeft']] as const) : [];
      if (walk) {
        for (let i = n - 1; i >= 0; i--) {
          await page.click(`#steps button[data-step="${i}"]`);
          expect(await expectSelected(page, i, n)).toBe(i === d.violatesAt ? 1 : 0);
        }
        // Down the list with j / ArrowDown / ArrowRight in turn, back up with k / ArrowUp / ArrowLeft.
        for (const keys of keysToWalk) {
          const down = keys[0] === 'j';
          await page.keyboard.press(down ? 'Home' : 'End');
          for (let k = 0; k < n; k++) {
            await expectSelected(page, down ? k : n - 1 - k, n);
            await page.keyboard.press(keys[k % 3]!);
          }
          await expectSelected(page, down ? n - 1 : 0, n);
        }
        expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-step')")).toBe('0');
      }

      await page.click('#goto-violation');
      await expectSelected(page, d.violatesAt, n);
      const violation = (await page.textContent('#violation')) ?? '';
      expect(violation).toContain(`violates ${d.invariant}`);
      expect(d.violation).not.toBeNull();
      expect(violation).toContain(d.violation!);
      expect(await page.locator('#steps button.violates').count()).toBe(1);
      expect(await page.textContent('#steps button.violates')).toContain(`!! VIOLATES ${d.invariant}`);
      expect(problems).toEqual([]);
    });
  }

  it('a screenshot of the violating step has every section, the change markers and the violation', async () => {
    const d = viewData('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
    const page = await open('shot', d);
    await page.click('#steps button[data-step="4"]');
    expect(await page.$$eval('section[data-section]', (ss) => ss.map((s) => s.getAttribute('data-section')))).toEqual(SECTIONS);
    // Folded by default: of the nine frames only the BAR page the trace mapped is drawn; the era switches fold too.
    expect(await page.locator('section[data-section="frames"] .card').count()).toBe(1);
    expect(await page.textContent('section[data-section="frames"] .folded')).toBe('8 not touched by the trace (folded; "Show the whole state" lists them)');
    expect(await page.locator('section[data-section="era"] .card').count()).toBe(0);
    const foldedText = (await page.textContent('#view'))!.length;
    await page.click('#fold');
    expect(await page.getAttribute('#fold', 'aria-pressed')).toBe('true');
    expect(await page.textContent('#fold')).toBe('Show only what the trace touched');
    expect(await page.locator('section[data-section="frames"] .card').count()).toBe(9);
    expect((await page.textContent('#view'))!.length).toBeGreaterThan(foldedText * 1.3);
    expect(await page.textContent('section[data-section="mms"] .mark-removed .badge')).toBe('[removed]');
    expect(await page.textContent('section[data-section="frames"] .mark-changed .badge')).toBe('[changed: free]');
    expect(await page.textContent('section[data-section="mappings"] li.stale')).toContain('!! the frame is free now');
    await page.keyboard.press('j');
    expect(await page.locator('#violation').count()).toBe(1);
    const png = await page.screenshot({ path: join(dir, 'violation.png'), fullPage: true });
    const size = pngSize(png);
    expect(size.width).toBe(1280);
    expect(size.height).toBeGreaterThan(600);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('draws the interleaving as lanes: each driver thread\'s steps indented under their own lane, and a key listing the threads', async () => {
    const d = viewData('counterexamples/hmm-mirror-skip-harmless/mirror-coherent-dab3b2374b.json');
    const page = await open('lanes', d);
    expect(await page.locator('#threads li').allTextContents()).toEqual([
      'thread 3: hmm-mirror-fault, the map path of notifier 2 (a device write fault), started at step 3; steps 4-12.',
      "thread 6: mirror-invalidate-skip-harmless, notifier 2's invalidate callback in invalidation 5 (MMU_NOTIFY_CLEAR), started at step 13; steps 14-17.",
    ]);
    const lanes = await page.evaluate<(string | null)[]>("[...document.querySelectorAll('#steps button')].map((b) => (b.className.match(/lane-[0-9]+/) || [null])[0])");
    expect(lanes.slice(3, 19)).toEqual([null, ...Array(9).fill('lane-1'), null, ...Array(4).fill('lane-2'), null]);
    expect(await page.textContent('#steps button[data-step="14"]')).toContain('thread 6 14. driver_lock(dev=1, by=6)');
    // The lanes are drawn: a thread's steps sit further right than the process's.
    const left = async (n: number) => page.evaluate<number>(`document.querySelector('#steps button[data-step="${n}"]').getBoundingClientRect().left`);
    expect(await left(14)).toBeGreaterThan(await left(4));
    expect(await left(4)).toBeGreaterThan(await left(13));
    expect(problems).toEqual([]);
  });

  it('runs only its own script: an inline script injected into the page is blocked by the policy, and the viewer still works', async () => {
    const d = viewData('counterexamples/vma-p2p-map/no-dma-after-free-f522f807c4.json');
    const file = join(dir, 'injected.html');
    writeFileSync(file, htmlPage(d).replace('<body>', '<body>\n<script>document.title = "injected"</script>'));
    problems.length = 0;
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#view h2');
    expect(await page.title()).toContain('dmacheck counterexample');
    expect(problems.some((p) => /Content Security Policy/i.test(p))).toBe(true);
    await page.click('#goto-violation');
    expect(await page.locator('#violation').count()).toBe(1);
    await page.close();
    problems.length = 0;
  });

  it('at 800 px: the steps above the state, no call cut, and the violating step in view in the list', async () => {
    const d = viewData('counterexamples/vma-p2p-map-notifier-hmm-literal/map-within-vma-lifetime-755e654b5b.json');
    const file = join(dir, 'narrow.html');
    writeFileSync(file, htmlPage(d));
    const page = await context.newPage();
    await page.setViewportSize({ width: 800, height: 700 });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#view h2');
    const cut = await page.evaluate<number>("[...document.querySelectorAll('#steps button')].filter((b) => b.scrollWidth > b.clientWidth + 1).length");
    expect(cut).toBe(0);
    const seen = await page.evaluate<{ top: number; bottom: number; navTop: number; navBottom: number }>(`(() => {
      const b = document.querySelector('#steps button.violates').getBoundingClientRect();
      const n = document.querySelector('nav').getBoundingClientRect();
      return { top: b.top, bottom: b.bottom, navTop: n.top, navBottom: n.bottom };
    })()`);
    expect(seen.top).toBeGreaterThanOrEqual(seen.navTop);
    expect(seen.bottom).toBeLessThanOrEqual(seen.navBottom);
    expect(seen.bottom).toBeLessThanOrEqual(700);
    await page.close();
  });

  it("shows a driver lock held right after driver_lock and released after driver_unlock", async () => {
    const d = viewData('counterexamples/vma-p2p-map-notifier-hmm-literal/map-within-vma-lifetime-755e654b5b.json');
    const page = await open('locks', d);
    expect(d.steps[11]!.call).toBe('driver_lock(dev=1, by=6)');
    await page.click('#steps button[data-step="11"]');
    expect(await page.textContent('section[data-section="threads"]')).toContain("device 1's driver lock held");
    // The invalidation's continuation in kernel words, not its JSON.
    const inv = (await page.textContent('section[data-section="invalidations"]')) ?? '';
    expect(inv).toContain('then: munmap destroys vma 1 (unmap_region)');
    expect(inv).not.toContain('"kind"');
    await page.click('#steps button[data-step="14"]');
    expect(d.steps[14]!.call).toBe('driver_unlock(dev=1, by=6)');
    expect(await page.textContent('section[data-section="threads"]')).toContain("device 1's driver lock released");
  });

  it('draws a state field it has no drawing for as a section of its own, and a new field of a known object on its card', async () => {
    const d = viewData('counterexamples/vma-p2p-map/map-within-vma-lifetime-b4b20ca633.json');
    const grown: ViewData = {
      ...d,
      steps: d.steps.map((s) =>
        s.state === null
          ? s
          : {
              ...s,
              state: {
                ...s.state,
                vmas: (s.state.vmas ?? []).map((v) => ({ ...v, value: { ...(v.value as object), lockedBy: 'thread 2' } })),
                devicePageTables: [{ key: '0', value: { id: 0, device: 1, entries: [6] }, mark: 'new', fields: [] }],
              },
            },
      ),
    };
    const page = await open('grown', grown);
    await page.click('#steps button[data-step="2"]');
    const extra = page.locator('section[data-section="devicePageTables"]');
    expect(await extra.count()).toBe(1);
    expect(await extra.textContent()).toContain('devicePageTables 0');
    expect(await extra.textContent()).toContain('entries = [6]');
    expect(await extra.textContent()).toContain('[new]');
    expect(await page.textContent('section[data-section="mms"] .extra')).toBe('also: lockedBy=thread 2');
  });
});

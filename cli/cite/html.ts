/**
 * The HTML report: one self-contained page (inline style, script and data;
 * a Content-Security-Policy that forbids every fetch) that shows the trace
 * as a list of steps and, for the selected step, a picture of the state
 * after it. The states are computed here, by replaying the file with the
 * model; the page only draws them.
 */
import { createHash } from 'node:crypto';
import type { Citation } from '../../properties/counterexample/cite.ts';
import type { Counterexample } from '../../properties/counterexample/load.ts';
import type { CounterexampleFile } from '../../properties/counterexample/format.ts';
import { COUNTEREXAMPLE_ELEMENT } from '../../properties/counterexample/html-input.ts';
import { viewerScript } from './html-script.ts';
import * as E from 'fp-ts/lib/Either.js';
import { encodeSteps, MAX_PAGE_STATE_BYTES, type ViewData, viewOf, viewWithin } from './html-states.ts';
import { viewerStyle } from './html-style.ts';
import { stepRuns } from '../../properties/counterexample/threads.ts';

/** The CSP source that allows exactly this inline script or style (its SHA-256), so that escaping is not the only guard. */
const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Nothing fetched, no base URL or form target to hijack, and only the
 * page's own script and style run: an injected `<script>` (were escaping
 * ever to fail) does not.
 */
export const contentSecurityPolicy = `default-src 'none'; base-uri 'none'; form-action 'none'; style-src ${hashOf(viewerStyle)}; script-src ${hashOf(viewerScript)}`;

/** Text for element content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON that cannot end its `<script>` element or be read as markup. */
export const embedJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Swim lanes: a driver thread's steps are indented under its own lane (1 to LANES, then again from 1); the process, the kernel and the devices keep lane 0. */
export const LANES = 6;

const stepList = (d: ViewData): string => {
  const laneOf = new Map(d.threads.map((t, i) => [t.id, (i % LANES) + 1]));
  return d.steps
    .map((s) => {
      const bad = s.n === d.violatesAt;
      const lane = s.lane === null ? 0 : (laneOf.get(s.lane) ?? 0);
      const effects = s.effects.length === 0 ? '' : `<span class="effects">-&gt; ${escapeHtml(s.effects.join('; '))}</span>`;
      const mark = bad ? `<span class="effects"><strong>!! VIOLATES ${escapeHtml(d.invariant)}</strong></span>` : '';
      const refused = s.rejected === null ? '' : '<span class="effects"><strong>!! refused today</strong></span>';
      const tag = s.lane === null ? '' : `<span class="lane-tag">thread ${s.lane}</span> `;
      const cause = d.causes.find((k) => k.step === s.n);
      const because = cause === undefined ? '' : `<span class="effects"><strong>* cause:</strong> ${escapeHtml(cause.why)}</span>`;
      const classes = [...(bad ? ['violates'] : []), ...(cause === undefined ? [] : ['cause']), ...(lane > 0 ? [`lane-${lane}`] : [])];
      return `<li><button type="button" data-step="${s.n}"${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}><span class="call">${tag}${s.n}. ${escapeHtml(s.call)}</span>${effects}${because}${mark}${refused}</button></li>`;
    })
    .join('\n');
};

/** Which steps each driver thread made, under the steps: the key to the lanes. */
const threadList = (d: ViewData): string =>
  d.threads.length === 0
    ? ''
    : `<section id="threads" aria-label="Driver threads"><h2>Threads</h2><ul>${d.threads
        .map((t) => `<li><strong>thread ${t.id}</strong>: <code>${escapeHtml(t.recipe)}</code>, ${escapeHtml(t.what)}, started at step ${t.started}; steps ${t.steps.length === 0 ? 'none' : stepRuns(t.steps)}.</li>`)
        .join('')}</ul><p class="hint">A thread's steps are indented in its own lane; the others are the process, the kernel and the devices.</p></section>`;

/**
 * The page for `d`. With `file`, the page also carries the counterexample
 * file itself (a JSON data element, never run), so that the page saved from
 * a mail replays as its Replay line says: `npx dmacheck replay -` reads it
 * from there (cli/inputs.ts).
 */
export const htmlPage = (d: ViewData, file?: CounterexampleFile): string => {
  const heading = `dmacheck counterexample ${d.id}${d.title === null ? '' : `: ${d.title}`}`;
  const verdict =
    d.violation === null
      ? `WARNING: this file no longer reproduces: ${d.invariant} does not fail at step ${d.violatesAt} today.`
      : `Step ${d.violatesAt} violates ${d.invariant}: ${d.violation}.`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading)}</title>
<style>${viewerStyle}</style>
</head>
<body>
<header>
<h1>${escapeHtml(heading)}</h1>
<p>design: <code>${escapeHtml(d.design)}</code>, invariant: <code>${escapeHtml(d.invariant)}</code> (violated at step ${d.violatesAt})</p>
<p id="verdict"><strong>!!</strong> ${escapeHtml(verdict)} <button type="button" id="goto-violation">Show step ${d.violatesAt}</button></p>
${d.causes.length === 0 ? '' : `<p id="causes">Because of: ${d.causes.map((k) => `step ${k.step} (${escapeHtml(k.why)})`).join('; ')}. The steps are marked <strong>* cause</strong>.</p>`}
<p>Replay: <code>${escapeHtml(d.replay)}</code></p>
</header>
<div class="layout">
<nav aria-label="Steps of the trace">
<ol id="steps">
${stepList(d)}
</ol>
${threadList(d)}
<p class="hint">Click a step, or use the arrow keys, j / k, Home and End. Markers: [new], [changed: fields], [removed] say what the selected step did; !! marks the violation.</p>
<p><button type="button" id="fold" aria-pressed="false">Show the whole state</button> (by default only the objects some step of the trace touched are drawn)</p>
</nav>
<p id="announce" class="sr-only" aria-live="polite"></p>
<main id="view">
<noscript><p>The pictures of the state need JavaScript; <code>dmacheck report FILE</code> prints the trace as text.</p></noscript>
</main>
</div>
<script type="application/json" id="dmacheck-data">${embedJson({ ...d, steps: encodeSteps(d.steps) })}</script>
${file === undefined ? '' : `<script type="application/json" id="${COUNTEREXAMPLE_ELEMENT}">${embedJson(file)}</script>\n`}
<script>${viewerScript}</script>
</body>
</html>
`;
};

export const htmlReport = (cx: Counterexample, c: Citation): string => htmlPage(viewOf(cx, c), cx.file);

/** The page, or why not: refused when its states would pass MAX_PAGE_STATE_BYTES. */
export const htmlReportWithin = (cx: Counterexample, c: Citation, maxBytes = MAX_PAGE_STATE_BYTES): E.Either<string, string> => E.map((d: ViewData) => htmlPage(d, cx.file))(viewWithin(cx, c, maxBytes));

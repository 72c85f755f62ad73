/**
 * The viewer's in-page script: plain browser JavaScript, no library, kept
 * as text because the page must carry it inline. It reads the JSON that
 * `html-states.ts` computed and draws the selected step.
 *
 * Drawing is a list of sections, each naming the state fields it covers
 * (`covers`) and a `draw` function; a state field that no section covers is
 * listed as it is by the fallback at the end. A new kind of state (driver
 * threads, device page tables, ...) is one more entry in SECTIONS.
 *
 * Kept free of backquotes and dollar-brace so it can sit in a template
 * literal; `test/html/report-html.test.ts` checks it.
 */
import { decodeStatesScript } from './html-decode.ts';
import { sectionsScript } from './html-sections.ts';

const core = String.raw`
(function () {
  'use strict';
` + decodeStatesScript + String.raw`
  var data = JSON.parse(document.getElementById('dmacheck-data').textContent);
  /* The page carries the first state and each step's changes: every step's snapshot, rebuilt. */
  data.steps = decodeStates(data.steps);
  var view = document.getElementById('view');
  var buttons = Array.prototype.slice.call(document.querySelectorAll('#steps button'));
  var current = -1;
  /* Folded (the default): only what some step of the trace touched is drawn; the rest is behind one control. */
  var folded = true;
  var touched = {};
  data.steps.forEach(function (s) {
    if (s.state === null) return;
    Object.keys(s.state).forEach(function (name) {
      s.state[name].forEach(function (item) {
        item.name = name;
        /* The id counter changes at almost every step: bookkeeping, not something the trace did. */
        if (s.n > 0 && item.mark !== 'same' && name !== 'nextId') touched[name + ':' + item.key] = true;
      });
    });
  });

  /* el('div', {class: 'x'}, [children or strings]) */
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (k) {
      if (k === null || k === undefined) return;
      e.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
    });
    return e;
  }
  function show(v) { return typeof v === 'string' ? v : JSON.stringify(v); }

  /* The text marker of what the step did to an item; colour only repeats it. */
  function badge(item) {
    if (item.mark === 'new') return el('span', { class: 'badge' }, ['[new]']);
    if (item.mark === 'removed') return el('span', { class: 'badge' }, ['[removed]']);
    if (item.mark === 'changed') return el('span', { class: 'badge' }, ['[changed' + (item.fields.length ? ': ' + item.fields.join(', ') : '') + ']']);
    return null;
  }
  /* A card for one item: a title line, detail lines, and any field the drawing did not show. */
  function card(item, title, lines, shown) {
    var v = item.value || {};
    var extra = (v && typeof v === 'object' && !Array.isArray(v)) ? Object.keys(v).filter(function (k) { return shown.indexOf(k) < 0; }) : [];
    var body = lines.filter(function (l) { return l !== null && l !== ''; }).map(function (l) {
      return typeof l === 'string' ? el('div', { class: 'line' }, [l]) : l;
    });
    if (extra.length) body.push(el('div', { class: 'line extra' }, ['also: ' + extra.map(function (k) { return k + '=' + show(v[k]); }).join(', ')]));
    return el('div', { class: 'card mark-' + item.mark, 'data-key': item.key, 'data-name': item.name || '' }, [el('div', { class: 'card-title' }, [badge(item), item.mark === 'same' ? '' : ' ', title])].concat(body));
  }
  function section(name, title, kids, covers) {
    return el('section', { class: 'state-section', 'data-section': name, 'aria-label': title, 'data-covers': covers.join(' ') },
      [el('h3', {}, [title])].concat(kids.length ? kids : [el('p', { class: 'none' }, ['none'])]));
  }
  function items(snap, name) { return snap[name] || []; }
  function live(snap, name) { return items(snap, name).filter(function (i) { return i.mark !== 'removed'; }); }
  function byKey(snap, name, key) {
    var found = live(snap, name).filter(function (i) { return i.key === String(key); })[0];
    return found ? found.value : null;
  }
`;

const main = String.raw`
  /*
   * Folded: the cards no step of the trace touched, of the kinds that are
   * boilerplate there (page frames, devices and BARs, files, the kernel era
   * and world bounds), go, and a line says how many. The cards that hold
   * others (a process and its VMAs) stay.
   */
  var FOLDABLE = { frames: true, devices: true, bars: true, inodes: true, era: true, bounds: true, topology: true, nextId: true };
  function foldable(c) {
    var name = c.getAttribute && c.getAttribute('data-name');
    /* A frame some mapping or device still reaches stays, touched or not: a violation may be about it. */
    if (name === 'frames' && c.querySelector && c.querySelector('.reach')) return false;
    return !!name && !!FOLDABLE[name] && !touched[name + ':' + c.getAttribute('data-key')];
  }
  function fold(cards) {
    if (!folded) return cards;
    var hidden = 0;
    var kept = cards.filter(function (c) {
      /* A grid of cards folds card by card. */
      if (c.classList && c.classList.contains('grid')) {
        Array.prototype.slice.call(c.children).forEach(function (k) { if (foldable(k)) { c.removeChild(k); hidden++; } });
        return c.children.length > 0;
      }
      if (foldable(c)) { hidden++; return false; }
      return true;
    });
    return hidden === 0 ? kept : kept.concat([el('p', { class: 'folded' }, [hidden + ' not touched by the trace (folded; "Show the whole state" lists them)'])]);
  }
  function drawState(snap) {
    var drawn = {};
    var out = [];
    SECTIONS.forEach(function (s) {
      s.covers.forEach(function (c) { drawn[c] = true; });
      out.push(section(s.covers[0], s.title, fold(s.draw(snap)), s.covers));
    });
    /* The fallback: any state field that no section draws, listed as it is. */
    Object.keys(snap).filter(function (k) { return !drawn[k]; }).forEach(function (k) {
      out.push(section(k, k + ' (listed as data)', items(snap, k).map(function (i) {
        var v = i.value;
        var lines = (v && typeof v === 'object' && !Array.isArray(v)) ? Object.keys(v).map(function (f) { return f + ' = ' + show(v[f]); }) : [show(v)];
        return card(i, i.key === '' ? k : k + ' ' + i.key, lines, (v && typeof v === 'object') ? Object.keys(v) : []);
      }), [k]));
    });
    return out;
  }

  function changeSummary(snap) {
    var parts = [];
    Object.keys(snap).forEach(function (k) {
      if (k === 'nextId') return;
      items(snap, k).forEach(function (i) {
        if (i.mark !== 'same') parts.push(k + (i.key === '' ? '' : ' ' + i.key) + ' ' + badge(i).textContent);
      });
    });
    return parts;
  }

  function select(i, focus) {
    if (i < 0 || i >= data.steps.length) return;
    current = i;
    buttons.forEach(function (b, j) {
      if (j === i) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
    });
    var s = data.steps[i];
    var kids = [el('h2', { id: 'step-title' }, [s.n === 0 ? 'Initial state (before step 1)' : 'Step ' + s.n + ' of ' + (data.steps.length - 1) + ': ' + s.call])];
    if (s.effects.length) kids.push(el('p', { class: 'effects' }, ['-> ' + s.effects.join('; ')]));
    if (s.n === data.violatesAt) {
      kids.push(el('div', { class: 'violation', id: 'violation', role: 'note' }, [
        el('strong', {}, ['!! VIOLATION: step ' + s.n + ' violates ' + data.invariant + ': ']),
        s.violation === null ? 'this file no longer reproduces: the invariant does not fail here today.' : s.violation + '.']));
    }
    if (s.rejected !== null) kids.push(el('p', { class: 'violation' }, ['The model refuses this step today: ' + s.rejected]));
    if (s.state === null) {
      if (s.rejected === null) kids.push(el('p', {}, ['Not reached: an earlier step was refused.']));
    } else {
      var changes = s.n === 0 ? [] : changeSummary(s.state);
      kids.push(el('p', { class: 'changes' }, [s.n === 0 ? 'The design\'s world before any call.' : changes.length ? 'This step: ' + changes.join('; ') : 'This step changed no state.']));
      kids.push(el('div', { class: 'sections' }, drawState(s.state)));
    }
    view.replaceChildren.apply(view, kids);
    document.getElementById('announce').textContent = kids[0].textContent + (s.n === data.violatesAt ? ' (violates ' + data.invariant + ')' : '');
    if (focus) buttons[i].focus();
    if (history.replaceState) history.replaceState(null, '', '#step-' + s.n);
  }

  buttons.forEach(function (b, j) { b.addEventListener('click', function () { select(j, false); }); });
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var to = e.key === 'ArrowDown' || e.key === 'ArrowRight' || e.key === 'j' ? current + 1
      : e.key === 'ArrowUp' || e.key === 'ArrowLeft' || e.key === 'k' ? current - 1
      : e.key === 'Home' ? 0 : e.key === 'End' ? data.steps.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    select(Math.max(0, Math.min(data.steps.length - 1, to)), true);
  });
  var toggle = document.getElementById('fold');
  if (toggle) toggle.addEventListener('click', function () {
    folded = !folded;
    toggle.setAttribute('aria-pressed', folded ? 'false' : 'true');
    toggle.textContent = folded ? 'Show the whole state' : 'Show only what the trace touched';
    select(current, false);
  });
  var goto = document.getElementById('goto-violation');
  if (goto) goto.addEventListener('click', function () { select(data.violatesAt, true); });
  var m = /^#step-([0-9]+)$/.exec(location.hash);
  select(m && Number(m[1]) < data.steps.length ? Number(m[1]) : 0, false);
  /* The violating step in view in the list of steps (the list scrolls, not the page). */
  var nav = document.querySelector('nav');
  var bad = buttons[data.violatesAt];
  if (nav && bad) {
    var b = bad.getBoundingClientRect();
    var n = nav.getBoundingClientRect();
    if (b.bottom > n.bottom) nav.scrollTop += b.top - n.top - (nav.clientHeight - b.height) / 2;
  }
})();
`;

/** The whole script, ready for a `<script>` element. */
export const viewerScript = `${core}${sectionsScript}${main}`;

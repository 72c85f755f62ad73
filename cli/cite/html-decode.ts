/**
 * The page carries the state of the first step whole and, for each later
 * step, only what it changed (`html-states.ts`, `encodeSteps`): a trace of
 * a thousand steps over a big state costs the page its changes, not a
 * thousand copies. This is the page's decoder, plain browser JavaScript
 * kept as text (as `html-script.ts`), which rebuilds every step's marked
 * snapshot; `test/html/report-html.test.ts` runs it on every corpus trace
 * and compares with the snapshots computed here.
 *
 * A step's changes, per state section: `put` (items new or changed, with
 * their mark and changed fields), `removed` (keys), and `order` (the
 * section's keys after the step) only when the order is not "the keys
 * before, less the removed ones, then the new ones". `sections` names the
 * state's sections, in order, at the first step and wherever they differ
 * from the step before's.
 */
export const decodeStatesScript = String.raw`
  function decodeStates(steps) {
    var cur = {};
    var names = [];
    return steps.map(function (s) {
      var out = {};
      for (var k in s) if (k !== 'changes' && k !== 'sections') out[k] = s[k];
      if (s.changes === null) { out.state = null; return out; }
      if (s.sections) names = s.sections;
      var state = {};
      names.forEach(function (name) {
        var prev = cur[name] || [];
        var ch = s.changes[name] || { put: [], removed: [] };
        var put = {};
        ch.put.forEach(function (item) { put[item.key] = item; });
        var removed = {};
        ch.removed.forEach(function (key) { removed[key] = true; });
        var was = {};
        prev.forEach(function (item) { was[item.key] = item.value; });
        var order = ch.order;
        if (!order) {
          order = prev.filter(function (item) { return !removed[item.key]; }).map(function (item) { return item.key; });
          ch.put.forEach(function (item) { if (!Object.prototype.hasOwnProperty.call(was, item.key)) order.push(item.key); });
        }
        var items = order.map(function (key) {
          return Object.prototype.hasOwnProperty.call(put, key) ? put[key] : { key: key, value: was[key], mark: 'same', fields: [] };
        });
        cur[name] = items.map(function (item) { return { key: item.key, value: item.value }; });
        state[name] = items.concat(ch.removed.map(function (key) { return { key: key, value: was[key], mark: 'removed', fields: [] }; }));
      });
      out.state = state;
      return out;
    });
  }
`;

/**
 * The viewer's stylesheet. Colour only repeats what a text marker already
 * says ([new], [changed: ...], [removed], !! VIOLATION, the > before the
 * selected step), so the page reads the same in grey or in a screen reader.
 */
export const viewerStyle = `
:root { --fg: #1b1b1b; --bg: #ffffff; --muted: #5a5a5a; --line: #9a9a9a; --new: #e3f4e1; --changed: #fff3c4; --removed: #eeeeee; --bad: #fde2e1; --badline: #a40000; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 10px 16px; border-bottom: 2px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 2px 0; }
code, .call, .line, li { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.layout { display: grid; grid-template-columns: minmax(260px, 34%) 1fr; min-height: calc(100vh - 90px); }
nav { border-right: 2px solid var(--line); padding: 8px; overflow-y: auto; max-height: calc(100vh - 90px); position: sticky; top: 0; }
nav ol { list-style: none; margin: 0; padding: 0; }
nav li { margin: 2px 0; }
nav button { width: 100%; text-align: left; padding: 6px 8px 6px 22px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; font: inherit; position: relative; overflow-wrap: anywhere; }
nav button[aria-current="step"] { border: 3px solid var(--fg); font-weight: bold; }
nav button[aria-current="step"]::before { content: ">"; position: absolute; left: 7px; }
nav button:focus-visible { outline: 3px dashed var(--fg); outline-offset: 2px; }
nav button.violates { background: var(--bad); border-color: var(--badline); }
nav .effects { display: block; font-weight: normal; color: var(--muted); }
nav .lane-tag { font-weight: bold; }
nav button.cause { border-style: dashed; border-color: var(--badline); }
nav button.lane-1, nav button.lane-2, nav button.lane-3, nav button.lane-4, nav button.lane-5, nav button.lane-6 { border-left-width: 6px; }
nav button.lane-1 { margin-left: 12px; border-left-style: solid; }
nav button.lane-2 { margin-left: 24px; border-left-style: double; }
nav button.lane-3 { margin-left: 36px; border-left-style: dashed; }
nav button.lane-4 { margin-left: 48px; border-left-style: dotted; }
nav button.lane-5 { margin-left: 60px; border-left-style: solid; }
nav button.lane-6 { margin-left: 72px; border-left-style: double; }
#threads h2 { font-size: 14px; }
#threads ul { margin: 4px 0; padding-left: 18px; }
nav .hint { color: var(--muted); font-size: 12px; }
main { padding: 8px 16px 24px; }
main:focus { outline: none; }
h2 { font-size: 16px; margin: 6px 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
h3 { font-size: 14px; margin: 12px 0 4px; border-bottom: 1px solid var(--line); }
.violation { background: var(--bad); border: 3px double var(--badline); padding: 8px; margin: 8px 0; }
.changes, .effects { margin: 4px 0; }
.sections { display: block; }
.card { border: 1px solid var(--line); padding: 4px 8px; margin: 4px 0; background: var(--bg); }
.card-title { font-weight: bold; }
.folded { color: var(--muted, #555); font-style: italic; margin: 2px 0; }
.nest { margin-left: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 6px; }
.grid .card { margin: 0; }
.mark-new { background: var(--new); border: 3px solid var(--fg); }
.mark-changed { background: var(--changed); border: 3px dashed var(--fg); }
.mark-removed { background: var(--removed); border: 3px dotted var(--fg); text-decoration: line-through; }
.mark-removed .badge { text-decoration: none; display: inline-block; }
.badge { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: bold; }
/* Read by screen readers, not drawn: the live announcement of the selected step. */
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.none { color: var(--muted); font-style: italic; }
.extra { color: var(--muted); }
ul.ptes, ul.reach { margin: 2px 0; padding-left: 18px; }
li.stale { font-weight: bold; }
/* A narrow window: the steps above the state, each call wrapped, never cut. */
@media (max-width: 900px) {
  .layout { grid-template-columns: 1fr; }
  nav { border-right: none; border-bottom: 2px solid var(--line); max-height: 45vh; position: static; }
}
`;

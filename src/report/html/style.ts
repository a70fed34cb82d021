/** The HTML report's stylesheet, inlined (the report must work offline, from a CI artifact). */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #656d76; --line: #d0d7de; --alt: #f6f8fa;
  --critical: #b3001b; --high: #d1242f; --medium: #bf8700; --low: #0969da; --unknown: #6e7781;
  --pass: #1a7f37; --warn: #9a6700; --fail: #cf222e; --unknown-status: #8250df; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --line: #30363d; --alt: #161b22;
  --critical: #ff6b81; --high: #f85149; --medium: #d29922; --low: #58a6ff; --unknown: #8b949e;
  --pass: #3fb950; --warn: #d29922; --fail: #f85149; --unknown-status: #a371f7; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
.verdict { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px; padding: .6rem 1rem; margin-top: 1rem; }
.verdict h2 { margin: 0 0 .3rem; }
.verdict-pass { border-left-color: var(--pass); } .verdict-pass .status { color: var(--pass); }
.verdict-warn { border-left-color: var(--warn); } .verdict-warn .status { color: var(--warn); }
.verdict-fail { border-left-color: var(--fail); } .verdict-fail .status { color: var(--fail); }
.verdict-unknown { border-left-color: var(--unknown-status); } .verdict-unknown .status { color: var(--unknown-status); }
.verdict ul { margin: .2rem 0 .5rem; padding-left: 1.2rem; }
.check-pass { color: var(--pass); } .check-warn { color: var(--warn); } .check-fail { color: var(--fail); } .check-unknown { color: var(--unknown-status); }
.warnings li { color: var(--warn); }
svg.chart text { fill: var(--fg); font-size: 12px; }
svg.chart .bar-CRITICAL { fill: var(--critical); } svg.chart .bar-HIGH { fill: var(--high); } svg.chart .bar-MEDIUM { fill: var(--medium); }
svg.chart .bar-LOW { fill: var(--low); } svg.chart .bar-UNKNOWN { fill: var(--unknown); } svg.chart .track { fill: var(--alt); }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1.2rem; align-items: center; margin: .5rem 0 .8rem; }
.controls input[type=search] { min-width: 22rem; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.controls fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .8rem; }
.controls label { white-space: nowrap; cursor: pointer; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--bg); z-index: 1; white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort=ascending] button::after { content: " \\25B2"; } th[aria-sort=descending] button::after { content: " \\25BC"; }
tbody tr:nth-child(even) { background: var(--alt); }
#findings-table td:nth-child(2) { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ver { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.sev { font-weight: 600; }
.sev-CRITICAL { color: var(--critical); } .sev-HIGH { color: var(--high); } .sev-MEDIUM { color: var(--medium); }
.sev-LOW { color: var(--low); } .sev-UNKNOWN { color: var(--unknown); }
.kev { font-weight: 700; color: var(--fail); }
.muted { color: var(--muted); }
details > summary { cursor: pointer; font-weight: 600; font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: 12px; }
`;

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IONFLUX_VERSION } from "../version.js";
import { DataFileError, parseJsonData, readSummary } from "../scenario/safeData.js";
import { readTable } from "./readTable.js";
import { ivSvg } from "./ivPlot.js";
import { sweepSvg } from "./sweepPlot.js";
import { esc } from "./svg.js";
import { trajectoryFileSvg } from "./trajectory.js";

const MAX_SWEEP_ROWS = 500;

/** An SVG document as inline markup (the XML declaration dropped). */
const inline = (svg: string) => svg.replace(/^<\?xml[^>]*>\s*/, "");

/**
 * A summary value as table cell content: numbers to 8 digits, a list of plain values joined, and
 * a nested object (concentrations_final, invariants, steady_state) as a nested key/value table,
 * not as a raw JSON string.
 */
const cell = (v: unknown, depth = 0): string => {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return esc(Number.isInteger(v) ? String(v) : Number(v.toPrecision(8)).toString());
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) return v.map((x) => cell(x, depth + 1)).join(", ");
  if (typeof v === "object" && depth < 4) {
    const rows = Object.entries(v as Record<string, unknown>).map(([k, x]) => `<tr><th>${esc(k)}</th><td>${cell(x, depth + 1)}</td></tr>`);
    return `<table class="nested">${rows.join("")}</table>`;
  }
  if (typeof v === "object") return esc(JSON.stringify(v));
  return esc(String(v));
};

/** An NAME.iv.summary.json of ionflux iv: an object whose name is NAME, with its reversals. */
function readIvSummary(path: string): Record<string, unknown> {
  const s = parseJsonData(readFileSync(path, "utf8"), path) as Record<string, unknown> | null;
  const stem = path.split("/").at(-1)!.replace(/\.iv\.summary\.json$/, "");
  if (s === null || typeof s !== "object" || Array.isArray(s) || s.name !== stem || !Array.isArray(s.reversals)) throw new DataFileError(path, "not an I-V summary ionflux iv wrote (its name or reversals are missing)");
  return s;
}

/**
 * `ionflux report DIR`: one self-contained HTML page (inline SVG and CSS, no script, no network)
 * with, for every run in DIR, its summary table (end state, convergence, invariant drifts,
 * provenance), its figure and its resolved scenario; and for a sweep, its table and plot.
 */
export function buildReport(dir: string): string {
  const sections: string[] = [];
  const summaries = readdirSync(dir).filter((f) => f.endsWith(".summary.json") && !f.endsWith(".iv.summary.json")).sort();
  for (const file of summaries) {
    const s = readSummary(join(dir, file));
    const name = String(s.name);
    const rows = Object.entries(s)
      .filter(([k]) => k !== "scenario_si" && k !== "provenance" && k !== "description")
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`)
      .join("");
    const provenance = Object.entries((s.provenance as Record<string, unknown>) ?? {})
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`)
      .join("");
    const csv = join(dir, `${name}.csv`);
    const figure = existsSync(csv) ? `<figure>${inline(trajectoryFileSvg(csv, name))}</figure>` : "<p>(no trajectory CSV beside the summary)</p>";
    sections.push(`<section id="${esc(name)}">
<h2>${esc(name)}</h2>
<p>${esc(String(s.description ?? ""))}</p>
<table class="summary">${rows}</table>
${figure}
<details><summary>Provenance</summary><table class="summary">${provenance}</table></details>
<details><summary>Resolved scenario (SI units)</summary><pre>${esc(JSON.stringify(s.scenario_si, null, 2))}</pre></details>
</section>`);
  }
  // I-V protocols (ionflux iv): each reversal found beside its prediction, and the I-V figure
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".iv.summary.json")).sort()) {
    const s = readIvSummary(join(dir, file));
    const name = String(s.name);
    const reversals = Array.isArray(s.reversals) ? (s.reversals as Record<string, unknown>[]) : [];
    const keys = [...new Set(reversals.flatMap((r) => Object.keys(r)))];
    const head = `<tr>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}</tr>`;
    const body = reversals.map((r) => `<tr>${keys.map((k) => `<td>${cell(r[k])}</td>`).join("")}</tr>`).join("");
    const csv = join(dir, `${name}.iv.csv`);
    const figure = existsSync(csv) ? `<figure>${inline(ivSvg(readTable(csv), name, join(dir, file)))}</figure>` : "<p>(no NAME.iv.csv beside the summary)</p>";
    sections.push(`<section id="${esc(name)}-iv">
<h2>${esc(name)}: I-V protocol</h2>
<p>Holding potential ${cell(s["holding [mV]"])} mV${s["at [s]"] !== undefined ? `; currents also ${cell(s["at [s]"])} s after each step` : ""}.</p>
<table class="summary">${head}${body}</table>
${figure}
</section>`);
  }
  const sweep = join(dir, "sweep.csv");
  if (existsSync(sweep)) {
    const table = readTable(sweep);
    const shown = table.text.slice(0, MAX_SWEEP_ROWS);
    const head = `<tr>${table.header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`;
    const body = shown.map((r) => `<tr${r.at(-1) ? ' class="failed"' : ""}>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("");
    sections.push(`<section id="sweep">
<h2>Sweep (${table.text.length} runs)</h2>
<figure>${inline(sweepSvg(table, "sweep"))}</figure>
<table class="sweep">${head}${body}</table>
${table.text.length > MAX_SWEEP_ROWS ? `<p>First ${MAX_SWEEP_ROWS} of ${table.text.length} rows; the full table is sweep.csv.</p>` : ""}
</section>`);
  }
  if (sections.length === 0) sections.push(`<p>No runs (NAME.summary.json), I-V protocols (NAME.iv.summary.json) or sweep (sweep.csv) in ${esc(dir)}.</p>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ionflux report: ${esc(dir)}</title>
<style>
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 2em; color: #111; max-width: 1000px; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
table.summary th { background: #f3f3f3; }
table.nested { margin: 0; font-size: 1em; } table.nested th { background: #fafafa; font-weight: normal; }
table.sweep { display: block; max-height: 30em; overflow: auto; }
tr.failed td { background: #fde0d0; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
pre { font-size: 0.8em; background: #f7f7f7; padding: 0.5em; overflow: auto; }
</style>
</head>
<body>
<h1>ionflux report</h1>
<p>Directory ${esc(dir)}, ionflux ${esc(IONFLUX_VERSION)}. Voltages in mV, concentrations in mM, currents in uA/cm<sup>2</sup> (outward positive).</p>
${sections.join("\n")}
</body>
</html>
`;
}

import { existsSync, readFileSync } from "node:fs";
import { renderPanel, svgDocument, type Series } from "./panel.js";
import { linearScale } from "./scale.js";
import { esc, ionColour } from "./svg.js";
import type { Table } from "./trajectory.js";

interface Reversal {
  readonly current: string;
  readonly "E_rev [mV]": number;
  readonly "predicted [mV]"?: number;
  readonly prediction?: string;
}

/**
 * The I–V figure of NAME.iv.csv: the total current and each permeant ion's current against the
 * command voltage (instantaneous solid, after the clamp step dashed), every zero crossing marked
 * with a circle, and, where NAME.iv.summary.json gives one, its prediction (Nernst, chord
 * conductance, GHK) as a labelled tick on the zero line. Per-channel columns are left out (each
 * ion's current is the sum of its channels'); ions with no current at any voltage too.
 */
export function ivSvg(table: Table, title: string, summaryPath: string | undefined, width = 900): string {
  const h = table.header;
  const V = table.columns[0]!;
  const left = 80;
  const top = 60;
  const plotWidth = width - 300;
  const height = 420;
  const reversals: Reversal[] = summaryPath && existsSync(summaryPath) ? ((JSON.parse(readFileSync(summaryPath, "utf8")) as { reversals?: Reversal[] }).reversals ?? []) : [];
  // I_<what>_<when> [uA/cm^2]: what = total or an ion (per-channel columns are named after channels)
  const curves = h
    .map((name, j) => ({ j, m: /^I_(.+)_(instant|at_[^ ]+) \[uA\/cm\^2\]$/.exec(name) }))
    .filter((c): c is { j: number; m: RegExpExecArray } => c.m !== null);
  const ions = [...new Set(curves.map((c) => c.m[1]!).filter((w) => w !== "total" && /^[A-Za-z][A-Za-z0-9_]*$/.test(w) && h.includes(`I_${w}_instant [uA/cm^2]`)))];
  const ionNames = ions.filter((x) => reversals.some((r) => r.current.startsWith(`${x},`)) || !reversals.length);
  const shown = curves.filter((c) => {
    const what = c.m[1]!;
    const y = table.columns[c.j]!;
    if (!Array.from(y).some((v) => Number.isFinite(v) && v !== 0)) return false; // impermeant: no current at any voltage
    return what === "total" || ionNames.includes(what);
  });
  const colourOf = (what: string) => (what === "total" ? "#000000" : ionColour(Math.max(0, ions.indexOf(what))));
  const whenLabel = (when: string) => (when === "instant" ? "instantaneous" : `at ${when.slice(3)}`);
  const series: Series[] = shown.map((c) => ({
    label: `${c.m[1] === "total" ? "I_total" : `I_${c.m[1]}`} ${whenLabel(c.m[2]!)}`,
    x: Array.from(V),
    y: Array.from(table.columns[c.j]!),
    colour: colourOf(c.m[1]!),
    ...(c.m[2] === "instant" ? {} : { dashed: true }),
    ...(c.m[1] === "total" ? { strokeWidth: 2.2 } : {}),
  }));
  // zero crossings from the table (linear interpolation between the bracketing rows)
  const crossings: { x: number; colour: string; label: string }[] = [];
  for (const s of series) {
    for (let i = 1; i < s.x.length; i++) {
      const a = s.y[i - 1]!;
      const b = s.y[i]!;
      if (!(Number.isFinite(a) && Number.isFinite(b)) || a === b || Math.sign(a) === Math.sign(b)) continue;
      crossings.push({ x: s.x[i - 1]! + (a / (a - b)) * (s.x[i]! - s.x[i - 1]!), colour: s.colour!, label: s.label });
    }
  }
  const body = renderPanel({
    left,
    top,
    width: plotWidth,
    height,
    title: "Current against command voltage (outward positive)",
    xLabel: "command voltage V_command [mV]",
    yLabel: "current [uA/cm^2]",
    xScale: "linear",
    yScale: "linear",
    xRange: [V[0]!, V[V.length - 1]!],
    series,
  });
  // the same scales as the panel: recomputed from the data exactly as renderPanel does
  const ys = series.flatMap((s) => s.y.filter((v) => Number.isFinite(v)));
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const xMap = linearScale(V[0]!, V[V.length - 1]!, left, left + plotWidth).map;
  const yMap = linearScale(lo, hi, top + height, top).map;
  const marks: string[] = [];
  const y0 = yMap(0);
  if (y0 >= top && y0 <= top + height) marks.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y0.toFixed(1)}" y2="${y0.toFixed(1)}" stroke="#666" stroke-width="0.8"/>`);
  for (const c of crossings) {
    marks.push(`<circle cx="${xMap(c.x).toFixed(1)}" cy="${y0.toFixed(1)}" r="4" fill="none" stroke="${c.colour}" stroke-width="1.6" data-crossing="${esc(c.label)}"><title>${esc(`${c.label} reverses at ${c.x.toFixed(2)} mV`)}</title></circle>`);
  }
  const predicted = reversals.filter((r) => r["predicted [mV]"] !== undefined);
  const notes: string[] = [];
  predicted.forEach((r, k) => {
    const what = r.current.split(",")[0]!;
    const colour = colourOf(what);
    const x = xMap(r["predicted [mV]"]!);
    if (x < left || x > left + plotWidth) return;
    marks.push(`<path d="M${x.toFixed(1)} ${(y0 - 9).toFixed(1)}L${(x - 5).toFixed(1)} ${(y0 - 17).toFixed(1)}L${(x + 5).toFixed(1)} ${(y0 - 17).toFixed(1)}Z" fill="${colour}" data-prediction="${esc(r.prediction ?? "")}"/>`);
    notes.push(`<text x="${left}" y="${top + height + 58 + k * 15}" font-size="11" fill="${colour}">▼ ${esc(`${what === "total" ? "I_total" : `I_${what}`} ${r.current.split(", ")[1] ?? ""}: crosses zero at ${r["E_rev [mV]"].toFixed(3)} mV; ${r.prediction}: ${r["predicted [mV]"]!.toFixed(3)} mV`)}</text>`);
  });
  notes.push(`<text x="${left + plotWidth + 12}" y="${top + height - 24}" font-size="11">○ zero crossing (table)</text>`);
  if (predicted.length) notes.push(`<text x="${left + plotWidth + 12}" y="${top + height - 8}" font-size="11">▼ prediction (summary)</text>`);
  const total = top + height + 70 + predicted.length * 15;
  return svgDocument(width, total, `<text x="20" y="28" font-size="16" font-weight="bold">${esc(title)}: I–V</text>\n${body}\n${marks.join("\n")}\n${notes.join("\n")}`, title);
}


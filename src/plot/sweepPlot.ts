import { makeScale, renderPanel, spaced, svgDocument } from "./panel.js";
import { esc } from "./svg.js";
import type { Table } from "./trajectory.js";

const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];

/** A varied value's number (the text may carry a unit: "0.3 mS/cm^2"). */
const numberOf = (text: string) => Number(/^\s*([+-]?[\d.]+(?:[eE][+-]?\d+)?)/.exec(text)?.[1] ?? NaN);

/**
 * The end state against the varied parameters of a sweep.csv: lines of V_final and E_rev_final
 * for one parameter (log axis when it spans over a decade), a heat map of V_final for two.
 * Failed runs are marked: × on the axis, or a grey cell with ×.
 */
export function sweepSvg(table: Table & { text: string[][] }, title: string, width = 900): string {
  const h = table.header;
  const paramCount = h.indexOf("converged") - 1;
  // `path [unit]` headers with plain numbers; older tables wrote "0.3 mS/cm^2" in the cells
  const params = h.slice(1, 1 + paramCount).map((c) => c.replace(/ \[[^\]]*\]$/, ""));
  const headerUnit = (j: number) => /\[([^\]]*)\]$/.exec(h[1 + j]!)?.[1];
  const V = table.columns[h.indexOf("V_final [mV]")]!;
  const E = table.columns[h.indexOf("E_rev_final [mV]")]!;
  const errorCol = h.indexOf("error");
  const failed = table.text.map((r) => (r[errorCol] ?? "") !== "");
  const values = params.map((_, j) => table.text.map((r) => numberOf(r[1 + j]!)));
  const unitOf = (j: number) => headerUnit(j) ?? (table.text[0]![1 + j]!.replace(/^\s*[+-]?[\d.]+(?:[eE][+-]?\d+)?\s*/, "") || "1");
  if (params.length === 1 || params.length > 2) {
    const x = values[0]!;
    const positive = x.every((v) => v > 0);
    const log = positive && Math.max(...x) / Math.min(...x) > 10;
    const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
    const pick = (arr: ArrayLike<number>) => order.map((i) => (failed[i] ? NaN : arr[i]!));
    const xs = order.map((i) => x[i]!);
    const failX = order.filter((i) => failed[i]).map((i) => x[i]!);
    const body = renderPanel({
      left: 80,
      top: 60,
      width: width - 260,
      height: 360,
      title: `End state against ${params[0]}${params.length > 2 ? " (first parameter only)" : ""}`,
      xLabel: `${params[0]} [${unitOf(0)}]${log ? " (log scale)" : ""}`,
      yLabel: "voltage [mV]",
      xScale: log ? "log" : "linear",
      yScale: "linear",
      xRange: [Math.min(...x), Math.max(...x)],
      series: [
        { label: "V_final", x: xs, y: pick(V), marker: xs.length > 60 },
        { label: "E_rev_final", x: xs, y: pick(E), dashed: true },
      ],
    });
    const marks = failX.length ? `<text x="80" y="470" font-size="12" fill="#D55E00">× ${failX.length} failed run${failX.length > 1 ? "s" : ""} at ${esc(failX.slice(0, 8).map((v) => String(v)).join(", "))}${failX.length > 8 ? ", …" : ""}</text>` : "";
    return svgDocument(width, 490, `<text x="20" y="28" font-size="16" font-weight="bold">${esc(title)}</text>\n${body}\n${marks}`, title);
  }
  // two parameters: a heat map when the runs are a grid of their distinct values, else (a random or
  // Latin-hypercube sample) a scatter of the sampled points; colour is V_final, with a labelled bar
  const ux = [...new Set(values[0]!)].sort((a, b) => a - b);
  const uy = [...new Set(values[1]!)].sort((a, b) => a - b);
  const isGrid = ux.length * uy.length === table.text.length && new Set(table.text.map((_, i) => `${values[0]![i]},${values[1]![i]}`)).size === table.text.length;
  const left = 100;
  const top = 60;
  const w = width - 300;
  const hgt = 420;
  const finite = Array.from(V).filter((v, i) => Number.isFinite(v) && !failed[i]);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const colour = (v: number) => VIRIDIS[Math.min(VIRIDIS.length - 1, Math.floor(((v - lo) / (hi - lo || 1)) * VIRIDIS.length))]!;
  const label = (i: number) => `${params[0]} = ${values[0]![i]}, ${params[1]} = ${values[1]![i]}: ${failed[i] ? "failed" : `V_final = ${V[i]!.toPrecision(6)} mV`}`;
  const cells: string[] = [];
  const axes: string[] = [];
  if (isGrid) {
    const cw = w / ux.length;
    const ch = hgt / uy.length;
    table.text.forEach((_, i) => {
      const cx = left + ux.indexOf(values[0]![i]!) * cw;
      const cy = top + (uy.length - 1 - uy.indexOf(values[1]![i]!)) * ch;
      if (failed[i] || !Number.isFinite(V[i]!)) {
        cells.push(`<rect x="${cx.toFixed(1)}" y="${cy.toFixed(1)}" width="${cw.toFixed(1)}" height="${ch.toFixed(1)}" fill="#bbbbbb" data-failed="1"/><text x="${(cx + cw / 2).toFixed(1)}" y="${(cy + ch / 2 + 4).toFixed(1)}" font-size="10" text-anchor="middle">×</text>`);
      } else cells.push(`<rect x="${cx.toFixed(1)}" y="${cy.toFixed(1)}" width="${(cw + 0.5).toFixed(1)}" height="${(ch + 0.5).toFixed(1)}" fill="${colour(V[i]!)}"><title>${esc(label(i))}</title></rect>`);
    });
    const tick = (vals: number[], n: number) => vals.filter((_, i) => i % Math.max(1, Math.ceil(vals.length / n)) === 0);
    axes.push(
      ...tick(ux, 8).map((v) => `<text x="${(left + (ux.indexOf(v) + 0.5) * cw).toFixed(1)}" y="${top + hgt + 16}" font-size="11" text-anchor="middle">${esc(Number(v.toPrecision(3)).toString())}</text>`),
      ...tick(uy, 8).map((v) => `<text x="${left - 6}" y="${(top + (uy.length - 1 - uy.indexOf(v) + 0.5) * ch + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(Number(v.toPrecision(3)).toString())}</text>`),
      `<rect x="${left}" y="${top}" width="${w}" height="${hgt}" fill="none" stroke="#444"/>`,
    );
  } else {
    // a sample: each run a dot at its sampled point, on log axes where a parameter spans over a decade
    const scaleFor = (vals: number[], p0: number, p1: number) => {
      const ok = vals.filter((v) => Number.isFinite(v));
      const logAxis = ok.every((v) => v > 0) && Math.max(...ok) / Math.min(...ok) > 10;
      return makeScale(logAxis ? "log" : "linear", ok, p0, p1);
    };
    const xs = scaleFor(values[0]!, left, left + w);
    const ys = scaleFor(values[1]!, top + hgt, top);
    axes.push(`<rect x="${left}" y="${top}" width="${w}" height="${hgt}" fill="none" stroke="#444"/>`);
    for (const t of spaced(xs.ticks(), xs.map, 40)) {
      const x = xs.map(t.value);
      if (x < left - 0.5 || x > left + w + 0.5) continue;
      axes.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${top + hgt}" stroke="#eee"/><text x="${x.toFixed(1)}" y="${top + hgt + 16}" font-size="11" text-anchor="middle">${esc(t.label)}</text>`);
    }
    for (const t of spaced(ys.ticks(), ys.map, 16)) {
      const y = ys.map(t.value);
      if (y < top - 0.5 || y > top + hgt + 0.5) continue;
      axes.push(`<line x1="${left}" x2="${left + w}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/><text x="${left - 6}" y="${(y + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(t.label)}</text>`);
    }
    const r = table.text.length > 2000 ? 2.5 : table.text.length > 300 ? 3.5 : 5;
    table.text.forEach((_, i) => {
      const cx = xs.map(values[0]![i]!);
      const cy = ys.map(values[1]![i]!);
      if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
      if (failed[i] || !Number.isFinite(V[i]!)) {
        cells.push(`<text x="${cx.toFixed(1)}" y="${(cy + 4).toFixed(1)}" font-size="12" text-anchor="middle" fill="#D55E00" data-failed="1">×<title>${esc(label(i))}</title></text>`);
      } else cells.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r}" fill="${colour(V[i]!)}" stroke="#333" stroke-width="0.4"><title>${esc(label(i))}</title></circle>`);
    });
  }
  axes.push(
    `<text x="${left + w / 2}" y="${top + hgt + 36}" font-size="12" text-anchor="middle" class="axis-label">${esc(`${params[0]} [${unitOf(0)}]`)}</text>`,
    `<text transform="translate(${left - 62},${top + hgt / 2}) rotate(-90)" font-size="12" text-anchor="middle" class="axis-label">${esc(`${params[1]} [${unitOf(1)}]`)}</text>`,
  );
  // the colour bar: one band per colour, labelled at every band edge with its V_final
  const barX = left + w + 30;
  const band = hgt / VIRIDIS.length;
  const legend = VIRIDIS.map((c, k) => `<rect x="${barX}" y="${(top + hgt - (k + 1) * band).toFixed(1)}" width="20" height="${band.toFixed(1)}" fill="${c}"/>`).join("");
  const barTicks = VIRIDIS.map((_, k) => k)
    .concat(VIRIDIS.length)
    .filter((k) => k % 2 === 0 || k === VIRIDIS.length)
    .map((k) => {
      const y = top + hgt - k * band;
      const v = lo + ((hi - lo) * k) / VIRIDIS.length;
      return `<line x1="${barX + 20}" x2="${barX + 25}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#333"/><text x="${barX + 28}" y="${(y + 4).toFixed(1)}" font-size="11">${esc(Number(v.toPrecision(4)).toString())}</text>`;
    })
    .join("");
  const legendText = `<rect x="${barX}" y="${top}" width="20" height="${hgt}" fill="none" stroke="#444"/>${barTicks}<text x="${barX}" y="${top - 8}" font-size="12" class="legend">V_final [mV]</text>`;
  const failures = failed.filter(Boolean).length;
  const note = failures ? `<text x="${left}" y="${top + hgt + 56}" font-size="12" fill="#D55E00">× ${failures} failed run${failures > 1 ? "s" : ""}${isGrid ? " (grey cells)" : ""}</text>` : "";
  const what = isGrid ? "V_final over the grid" : `V_final over ${table.text.length} sampled runs`;
  const body = `<text x="20" y="28" font-size="16" font-weight="bold">${esc(title)}: ${what}</text>\n<g data-series="V_final">${cells.join("")}</g>\n${axes.join("\n")}\n${legend}${legendText}${note}`;
  return svgDocument(width, top + hgt + 70, body, title);
}

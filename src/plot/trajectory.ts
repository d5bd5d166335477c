import { reduceMinMax } from "./reduce.js";
import { renderPanel, svgDocument, type Series } from "./panel.js";

export interface Table {
  readonly header: readonly string[];
  /** Column-major numbers (NaN for an empty cell). */
  readonly columns: readonly Float64Array[];
}

export type TimeAxis = "auto" | "linear" | "log";

const quantity = (h: string) => h.replace(/ \[.*\]$/, "");
const unitOf = (h: string) => /\[(.*)\]$/.exec(h)?.[1] ?? "";

/**
 * The convergence figure of a trajectory CSV: (1) V with E_rev and every E_X dashed, (2) the
 * concentrations inside and outside (log scale), (3) each ion's current and the net current on a
 * symmetric-log scale, so that the approach to zero shows. The time axis is logarithmic when the
 * run spans more than three decades (auto). Points are reduced per pixel column, keeping extremes.
 */
export function trajectorySvg(table: Table, title: string, timeAxis: TimeAxis = "auto", width = 900): string {
  const col = (name: string) => table.columns[table.header.findIndex((h) => quantity(h) === name)];
  const t = col("t");
  if (!t) throw new Error("no t column: not a trajectory CSV");
  const positive = Array.from(t).filter((v) => v > 0);
  const spans = positive.length > 1 ? Math.log10(positive.at(-1)! / positive[0]!) : 0;
  const log = timeAxis === "log" || (timeAxis === "auto" && spans > 2 && frontLoaded(t, col("V")));
  const plotWidth = width - 260;
  const buckets = Math.max(200, plotWidth);
  const series = (names: { name: string; label: string; dashed?: boolean }[]): Series[] =>
    names.flatMap(({ name, label, dashed }) => {
      const y = col(name);
      if (!y) return [];
      const keep = Array.from(t, (v, i) => (log ? v > 0 : true) && Number.isFinite(y[i]!));
      if (!keep.includes(true)) return []; // e.g. E_X of an ion absent on one side: nothing to draw
      const xs = Array.from(t).filter((_, i) => keep[i]);
      const ys = Array.from(y).filter((_, i) => keep[i]);
      const r = reduceMinMax(log ? xs.map(Math.log10) : xs, ys, buckets);
      return [{ label, x: log ? r.x.map((v) => 10 ** v) : r.x, y: r.y, ...(dashed ? { dashed } : {}) }];
    });
  const ions = table.header.filter((h) => /_in \[/.test(h)).map((h) => quantity(h).replace(/_in$/, ""));
  const gates = table.header.filter((h) => unitOf(h) === "1").map(quantity);
  const xRange: [number, number] = log ? [positive[0] ?? 1, positive.at(-1) ?? 10] : [t[0]!, t[t.length - 1]!];
  const xLabel = `time [s]${log ? " (log scale)" : ""}`;
  const panels = [
    {
      title: "Membrane voltage and reversal potentials",
      yLabel: "voltage [mV]",
      yScale: "linear" as const,
      series: series([{ name: "V", label: "V" }, { name: "E_rev", label: "E_rev" }, ...ions.map((x) => ({ name: `E_${x}`, label: `E_${x}`, dashed: true }))]),
    },
    {
      title: "Concentrations",
      yLabel: "concentration [mM] (log scale)",
      yScale: "log" as const,
      series: series(ions.flatMap((x) => [{ name: `${x}_in`, label: `${x} inside` }, { name: `${x}_out`, label: `${x} outside`, dashed: true }])),
    },
    {
      title: "Currents (outward positive)",
      yLabel: "current [uA/cm^2] (symlog)",
      yScale: "symlog" as const,
      series: series([{ name: "I_net", label: "I_net" }, ...ions.map((x) => ({ name: `I_${x}`, label: `I_${x}` })), { name: "I_clamp", label: "I_clamp", dashed: true }]),
    },
    ...(gates.length ? [{ title: "Gates", yLabel: "open fraction [1]", yScale: "linear" as const, series: series(gates.map((g) => ({ name: g, label: g }))) }] : []),
  ];
  const panelHeight = 220;
  const gap = 80;
  const top0 = 56;
  const body = [
    `<text x="20" y="28" font-size="16" font-weight="bold">${title.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`,
    ...panels.map((p, i) =>
      renderPanel({ ...p, left: 80, top: top0 + i * (panelHeight + gap), width: plotWidth, height: panelHeight, xLabel, xScale: log ? "log" : "linear", xRange }),
    ),
  ].join("\n");
  return svgDocument(width, top0 + panels.length * (panelHeight + gap) - 20, body, title);
}

/**
 * True when most of V's movement happens in the first 1% of the run (a fast approach, then a slow
 * drift): the case a log time axis is for. A spike train spread over the run stays linear.
 */
function frontLoaded(t: Float64Array, V: Float64Array | undefined): boolean {
  if (!V || V.length < 3) return false;
  const end = t[0]! + 0.01 * (t[t.length - 1]! - t[0]!);
  let early = 0;
  let total = 0;
  for (let i = 1; i < V.length; i++) {
    const d = Math.abs(V[i]! - V[i - 1]!);
    if (!Number.isFinite(d)) continue;
    total += d;
    if (t[i]! <= end) early += d;
  }
  return total > 0 && early > 0.5 * total;
}

import { renderPanel, svgDocument, type Series } from "./panel.js";
import { fileSource, reduceTrajectory, tableSource, type ReducedSeries, type ReducedTrajectory } from "./streamReduce.js";
import { esc, ionColour } from "./svg.js";

export interface Table {
  readonly header: readonly string[];
  /** Column-major numbers (NaN for an empty cell). */
  readonly columns: readonly Float64Array[];
}

export type TimeAxis = "auto" | "linear" | "log";

const quantity = (h: string) => h.replace(/ \[.*\]$/, "");
const unitOf = (h: string) => /\[(.*)\]$/.exec(h)?.[1] ?? "";

/** The colours V and E_rev keep in every figure; ions take the others (svg.ts). */
const V_COLOUR = "#000000";
const E_REV_COLOUR = "#9a9a9a";

/** The trajectory figure of a table in memory. */
export function trajectorySvg(table: Table, title: string, timeAxis: TimeAxis = "auto", width = 900): string {
  if (table.header.findIndex((h) => quantity(h) === "t") !== 0) throw new Error("no t column: not a trajectory CSV");
  return trajectoryFigure(reduceTrajectory(tableSource(table.header, table.columns), bucketsFor(width)), title, timeAxis, width);
}

/** The trajectory figure of a CSV file, read in one streamed pass (bounded memory for any row count). */
export function trajectoryFileSvg(path: string, title: string, timeAxis: TimeAxis = "auto", width = 900): string {
  const source = fileSource(path);
  if (quantity(source.header[0] ?? "") !== "t") throw new Error("no t column: not a trajectory CSV");
  return trajectoryFigure(reduceTrajectory(source, bucketsFor(width)), title, timeAxis, width);
}

const bucketsFor = (width: number) => Math.max(200, width - 260);

/**
 * The convergence figure: (1) V, drawn last and on top, over E_rev (a wide grey band, so that V
 * on E_rev shows as a black line inside grey) and each permeant ion's E_X dashed in the ion's
 * colour; (2) the concentrations, inside solid and outside dashed, one colour per ion across the
 * panels; (3) each permeant ion's current and the net current on a symmetric-log scale, so the
 * approach to zero shows; when water moves, (4) the volumes and (5) each side's osmolarity;
 * then gates. Impermeant species (no current in the whole run) are left
 * out of the E and current panels. The time axis is logarithmic when the run spans over two
 * decades and V moves mostly in its first 1% (auto).
 */
/**
 * The time axis of a trajectory figure: logarithmic when asked, or (auto) when the run spans over
 * two decades and V moves fast at first: over half its movement in the first 1% of the run, or
 * over a tenth of it there when the rows were recorded densely early (log-spaced recording: over
 * 3% of the rows in that first 1%). A linear axis would squeeze that approach into a few pixels.
 */
export function chooseLogTime(r: ReducedTrajectory, timeAxis: TimeAxis): boolean {
  if (timeAxis !== "auto") return timeAxis === "log";
  const spans = r.tPositive0 > 0 && r.t1 > 0 ? Math.log10(r.t1 / r.tPositive0) : 0;
  return spans > 2 && (r.earlyShareOfV > 0.5 || (r.earlyShareOfV > 0.1 && r.earlyShareOfRows > 0.03));
}

export function trajectoryFigure(r: ReducedTrajectory, title: string, timeAxis: TimeAxis, width: number): string {
  const log = chooseLogTime(r, timeAxis);
  const reduced = log ? r.log : r.linear;
  const index = (name: string) => r.header.findIndex((h) => quantity(h) === name);
  const column = (name: string): ReducedSeries | undefined => {
    const j = index(name);
    return j > 0 ? reduced[j] : undefined;
  };
  const series = (name: string, label: string, style: Omit<Series, "label" | "x" | "y"> = {}): Series[] => {
    const c = column(name);
    if (!c || c.x.length === 0) return []; // e.g. E_X of an ion absent on one side: nothing to draw
    return [{ label, x: c.x, y: c.y, ...style }];
  };
  // species: X_in [mM] with an E_X column (Osm_in [mM] and vol_in [pL], with water, are not species)
  const ions = r.header
    .filter((h) => /_in \[mM\]$/.test(h))
    .map((h) => quantity(h).replace(/_in$/, ""))
    .filter((x) => index(`E_${x}`) > 0);
  const colour = new Map(ions.map((x, i) => [x, ionColour(i)]));
  // an ion no channel, pump or transporter moves carries no current in the whole run
  const permeant = ions.filter((x) => {
    const j = index(`I_${x}`);
    return j < 0 || r.linear[j]!.absMax > 0;
  });
  const gates = r.header.filter((h) => unitOf(h) === "1").map(quantity);
  const xRange: [number, number] = log ? [r.tPositive0 || 1, r.t1 > 0 ? r.t1 : 10] : [r.t0, r.t1];
  const xLabel = `time [s]${log ? " (log scale)" : ""}`;
  const panels = [
    {
      title: "Membrane voltage and reversal potentials",
      yLabel: "voltage [mV]",
      yScale: "linear" as const,
      series: [
        ...permeant.flatMap((x) => series(`E_${x}`, `E_${x}`, { colour: colour.get(x)!, dashed: true })),
        ...series("E_rev", "E_rev", { colour: E_REV_COLOUR, strokeWidth: 6, opacity: 0.55 }),
        ...series("V", "V", { colour: V_COLOUR, strokeWidth: 1.6 }),
      ],
    },
    {
      title: "Concentrations",
      yLabel: "concentration [mM] (log scale)",
      yScale: "log" as const,
      series: ions.flatMap((x) => [...series(`${x}_in`, `${x} inside`, { colour: colour.get(x)! }), ...series(`${x}_out`, `${x} outside`, { colour: colour.get(x)!, dashed: true })]),
    },
    {
      title: "Currents (outward positive)",
      yLabel: "current [uA/cm^2] (symlog)",
      yScale: "symlog" as const,
      series: [
        ...permeant.flatMap((x) => series(`I_${x}`, `I_${x}`, { colour: colour.get(x)! })),
        ...series("I_clamp", "I_clamp", { colour: E_REV_COLOUR, dashed: true }),
        ...series("I_net", "I_net", { colour: V_COLOUR, strokeWidth: 1.6 }),
      ],
    },
    // when water moves: the volumes (inside solid, a finite bath's dashed) and each side's osmolarity
    ...(index("vol_in") > 0
      ? [
          {
            title: "Cell volume (water)",
            yLabel: "volume [pL]",
            yScale: "linear" as const,
            series: [...series("vol_in", "vol_in", { colour: V_COLOUR }), ...series("vol_out", "vol_out", { colour: V_COLOUR, dashed: true })],
          },
          {
            title: "Osmolarity",
            yLabel: "osmolarity [mM]",
            yScale: "linear" as const,
            series: [...series("Osm_in", "Osm_in", { colour: V_COLOUR }), ...series("Osm_out", "Osm_out", { colour: E_REV_COLOUR, dashed: true })],
          },
        ]
      : []),
    ...(gates.length ? [{ title: "Gates", yLabel: "open fraction [1]", yScale: "linear" as const, series: gates.flatMap((g) => series(g, g)) }] : []),
  ];
  const panelHeight = 220;
  const gap = 80;
  const top0 = 56;
  const body = [
    `<text x="20" y="28" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...panels.map((p, i) => renderPanel({ ...p, left: 80, top: top0 + i * (panelHeight + gap), width: width - 260, height: panelHeight, xLabel, xScale: log ? "log" : "linear", xRange })),
  ].join("\n");
  return svgDocument(width, top0 + panels.length * (panelHeight + gap) - 20, body, title);
}

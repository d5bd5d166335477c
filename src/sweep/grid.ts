import { UsageError } from "../errors.js";

/** One varied parameter: the scenario path and its values as --set value texts. */
export interface Axis {
  readonly path: string;
  readonly values: readonly string[];
}

const NUMBER = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

function splitNumber(text: string, spec: string): { value: number; unit: string } {
  const m = NUMBER.exec(text);
  if (!m) throw new UsageError(`--vary ${spec}: "${text}" is not a number with an optional unit`);
  return { value: Number(m[1]), unit: m[2]! };
}

/** Shortest text that reads back to x, with the unit if any. */
const show = (x: number, unit: string) => (unit ? `${x} ${unit}` : String(x));

/**
 * Parses `PATH=SPEC`. SPEC is a list (`1,2,5` or `1 mS/cm^2,2 mS/cm^2`), a linear range
 * `LO:HI:N`, or a logarithmic one `LO:HI:log:N` (N values, both ends included, one unit for both).
 */
export function parseAxis(text: string): Axis {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--vary ${text}: expected PATH=SPEC, like channels.k-leak.conductance=0.1 mS/cm^2:10 mS/cm^2:log:20`);
  const path = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  const parts = spec.split(":").map((s) => s.trim());
  if (parts.length === 1) {
    const values = spec.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (values.length === 0) throw new UsageError(`--vary ${text}: no values`);
    return { path, values };
  }
  const isLog = parts.length === 4 && parts[2] === "log";
  if (!(parts.length === 3 || isLog)) throw new UsageError(`--vary ${text}: a range is LO:HI:N or LO:HI:log:N`);
  const lo = splitNumber(parts[0]!, text);
  const hi = splitNumber(parts[1]!, text);
  const count = Number(parts.at(-1));
  if (lo.unit !== hi.unit) throw new UsageError(`--vary ${text}: both ends need the same unit ("${lo.unit}" vs "${hi.unit}")`);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new UsageError(`--vary ${text}: N must be a whole number from 1 to 1000000`);
  if (isLog && !(lo.value > 0 && hi.value > 0)) throw new UsageError(`--vary ${text}: a log range needs positive ends`);
  const values: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = count === 1 ? 0 : i / (count - 1);
    // ends exactly as given; interior points as numpy linspace/geomspace compute them
    const x = i === 0 ? lo.value : i === count - 1 ? hi.value : isLog ? 10 ** (Math.log10(lo.value) + f * (Math.log10(hi.value) - Math.log10(lo.value))) : lo.value + f * (hi.value - lo.value);
    values.push(show(x, lo.unit));
  }
  return { path, values };
}

/** Number of runs of the Cartesian grid. */
export function gridSize(axes: readonly Axis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

/** The k-th point of the grid: the first axis varies slowest (run k = Σ i_a · Π_{b>a} n_b). */
export function gridPoint(axes: readonly Axis[], k: number): string[] {
  const values: string[] = new Array(axes.length);
  for (let a = axes.length - 1; a >= 0; a--) {
    const n = axes[a]!.values.length;
    values[a] = axes[a]!.values[k % n]!;
    k = Math.floor(k / n);
  }
  return values;
}

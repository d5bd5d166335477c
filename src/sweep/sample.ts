import seedrandom from "seedrandom";
import { UsageError } from "../errors.js";

/** A distribution of one sampled parameter, in the unit given by the user. */
export interface Distribution {
  readonly path: string;
  readonly kind: "uniform" | "log-uniform" | "normal";
  /** uniform/log-uniform: the bounds; normal: mean and standard deviation. */
  readonly a: number;
  readonly b: number;
  readonly unit: string;
}

const NUMBER = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

function number(text: string, spec: string): { value: number; unit: string } {
  const m = NUMBER.exec(text);
  if (!m) throw new UsageError(`--vary ${spec}: "${text}" is not a number with an optional unit`);
  return { value: Number(m[1]), unit: m[2]! };
}

/**
 * Parses a sampled `PATH=SPEC`: `LO:HI` (uniform), `LO:HI:log` (log-uniform) or
 * `normal:MEAN:SD`; units as in `0.1 mS/cm^2:10 mS/cm^2:log`.
 */
export function parseDistribution(text: string): Distribution {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--vary ${text}: expected PATH=SPEC`);
  const path = text.slice(0, eq).trim();
  const parts = text.slice(eq + 1).split(":").map((s) => s.trim());
  if (parts[0] === "normal" && parts.length === 3) {
    const mean = number(parts[1]!, text);
    const sd = number(parts[2]!, text);
    if (sd.unit !== mean.unit) throw new UsageError(`--vary ${text}: mean and SD need the same unit`);
    if (!(sd.value > 0)) throw new UsageError(`--vary ${text}: the SD must be positive`);
    return { path, kind: "normal", a: mean.value, b: sd.value, unit: mean.unit };
  }
  const isLog = parts.length === 3 && parts[2] === "log";
  if (!(parts.length === 2 || isLog)) throw new UsageError(`--vary ${text}: with --samples, SPEC is LO:HI, LO:HI:log or normal:MEAN:SD`);
  const lo = number(parts[0]!, text);
  const hi = number(parts[1]!, text);
  if (lo.unit !== hi.unit) throw new UsageError(`--vary ${text}: both ends need the same unit`);
  if (!(hi.value > lo.value)) throw new UsageError(`--vary ${text}: HI must be above LO`);
  if (isLog && !(lo.value > 0)) throw new UsageError(`--vary ${text}: a log-uniform range needs positive ends`);
  return { path, kind: isLog ? "log-uniform" : "uniform", a: lo.value, b: hi.value, unit: lo.unit };
}

/** A seeded sample read row by row: rows are drawn in chunks when asked for, never all at once. */
export interface SampleStream {
  readonly count: number;
  /** Row k (0 <= k < count): one value per distribution, in its unit. */
  row(k: number): number[];
}

/** The ARC4 state of a seedrandom stream, compact (S, then i and j): a point to draw on from. */
type Mark = Uint8Array;
type Prng = () => number;
type StatefulPrng = Prng & { state(): { i: number; j: number; S: number[] } };

const streamOf = (seed: number) => seedrandom(`ionflux-sweep:${seed}`, { state: true }) as unknown as StatefulPrng;
function mark(random: StatefulPrng): Mark {
  const { i, j, S } = random.state();
  const m = new Uint8Array(258);
  m.set(S);
  m[256] = i;
  m[257] = j;
  return m;
}
const resume = (m: Mark): Prng => seedrandom("", { state: { S: Array.from(m.subarray(0, 256)), i: m[256]!, j: m[257]! } }) as Prng;

/** Rows per chunk: at least 4096, and at most about 1024 chunks (marks) per stream. */
export const chunkRows = (count: number) => Math.max(4096, Math.ceil(count / 1024));

/**
 * The sample of N rows × P parameters, drawn from one seedrandom stream seeded with `seed` in a
 * fixed order, so that every process (any --jobs, any shard) computes the same values:
 *   random: row i, parameter j is draw i·P + j;
 *   Latin hypercube: for each parameter in turn, a Fisher-Yates shuffle of its N strata (N − 1
 *   draws), then one draw per row for its place inside its stratum.
 * One pass over the stream at set-up keeps only the stream's state at every chunk start (258 bytes
 * each) and, for a Latin hypercube, each parameter's permutation (4 bytes a row); a chunk of rows
 * is drawn again from its mark when asked for, and the last few chunks are kept.
 */
export function sampleStream(distributions: readonly Distribution[], count: number, seed: number, latinHypercube: boolean, rowsPerChunk = chunkRows(count)): SampleStream {
  const random = streamOf(seed);
  const p = distributions.length;
  const chunks = Math.ceil(count / rowsPerChunk);
  // marks[j][c]: where the draws of chunk c start (random: one stream for all parameters, j = 0)
  const marks: Mark[][] = [];
  const orders: Int32Array[] = [];
  if (latinHypercube) {
    for (let j = 0; j < p; j++) {
      const order = new Int32Array(count);
      for (let i = 0; i < count; i++) order[i] = i;
      for (let i = count - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        const t = order[i]!;
        order[i] = order[k]!;
        order[k] = t;
      }
      orders.push(order);
      const m: Mark[] = [];
      for (let i = 0; i < count; i++) {
        if (i % rowsPerChunk === 0) m.push(mark(random));
        random();
      }
      marks.push(m);
    }
  } else {
    const m: Mark[] = [];
    for (let i = 0; i < count; i++) {
      if (i % rowsPerChunk === 0) m.push(mark(random));
      for (let j = 0; j < p; j++) random();
    }
    marks.push(m);
  }
  const kept = new Map<number, Float64Array>();
  const chunk = (c: number): Float64Array => {
    const have = kept.get(c);
    if (have) return have;
    const first = c * rowsPerChunk;
    const rows = Math.min(rowsPerChunk, count - first);
    const u = new Float64Array(rows * p);
    if (latinHypercube) {
      for (let j = 0; j < p; j++) {
        const r = resume(marks[j]![c]!);
        const order = orders[j]!;
        for (let i = 0; i < rows; i++) u[i * p + j] = (order[first + i]! + r()) / count;
      }
    } else {
      const r = resume(marks[0]![c]!);
      for (let i = 0; i < rows * p; i++) u[i] = r();
    }
    if (kept.size >= 4) kept.delete(kept.keys().next().value!);
    kept.set(c, u);
    return u;
  };
  if (chunks === 0) return { count, row: () => [] };
  return {
    count,
    row(k: number): number[] {
      if (!(Number.isInteger(k) && k >= 0 && k < count)) throw new RangeError(`sample row ${k} of ${count}`);
      const u = chunk(Math.floor(k / rowsPerChunk));
      const at = (k % rowsPerChunk) * p;
      const out = new Array<number>(p);
      for (let j = 0; j < p; j++) {
        const d = distributions[j]!;
        const q = u[at + j]!;
        out[j] = d.kind === "uniform" ? d.a + q * (d.b - d.a) : d.kind === "log-uniform" ? Math.exp(Math.log(d.a) + q * (Math.log(d.b) - Math.log(d.a))) : d.a + d.b * inverseNormal(q);
      }
      return out;
    },
  };
}

/** The whole sample as N rows (for small samples and tests: a sweep reads rows from sampleStream). */
export function drawSample(distributions: readonly Distribution[], count: number, seed: number, latinHypercube: boolean): number[][] {
  const stream = sampleStream(distributions, count, seed, latinHypercube);
  return Array.from({ length: count }, (_, k) => stream.row(k));
}

/**
 * The standard normal quantile Φ⁻¹(q) (Acklam's rational approximation, relative error < 1.2e-9),
 * so that a normal parameter of a Latin hypercube keeps its strata.
 */
export function inverseNormal(q: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const x = Math.min(Math.max(q, 1e-300), 1 - 1e-16);
  if (x < low) {
    const t = Math.sqrt(-2 * Math.log(x));
    return (((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  }
  if (x > 1 - low) {
    const t = Math.sqrt(-2 * Math.log(1 - x));
    return -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
  }
  const t = x - 0.5;
  const r = t * t;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * t) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

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

/**
 * The whole sample, N rows × P parameters, drawn from one seedrandom stream seeded with `seed`
 * in a fixed order, so that every process (any --jobs, any shard) computes the same values.
 * Latin hypercube: each parameter's N strata are used once each, in a seeded random order.
 */
export function drawSample(distributions: readonly Distribution[], count: number, seed: number, latinHypercube: boolean): number[][] {
  const random = seedrandom(`ionflux-sweep:${seed}`);
  const p = distributions.length;
  const u: number[][] = Array.from({ length: count }, () => new Array<number>(p).fill(0));
  if (latinHypercube) {
    for (let j = 0; j < p; j++) {
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        [order[i], order[k]] = [order[k]!, order[i]!];
      }
      for (let i = 0; i < count; i++) u[i]![j] = (order[i]! + random()) / count;
    }
  } else {
    for (let i = 0; i < count; i++) for (let j = 0; j < p; j++) u[i]![j] = random();
  }
  return u.map((row) =>
    row.map((q, j) => {
      const d = distributions[j]!;
      if (d.kind === "uniform") return d.a + q * (d.b - d.a);
      if (d.kind === "log-uniform") return Math.exp(Math.log(d.a) + q * (Math.log(d.b) - Math.log(d.a)));
      return d.a + d.b * inverseNormal(q);
    }),
  );
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

import type { BuildContext } from "./types.js";

/**
 * The words of a run-time diagnosis (issue 15, "every failure names the quantity"): after a run
 * failed, each mechanism says which of its terms has no meaning where the run got to, by the
 * field path load-time messages use (`channels[1].gates.n.alpha`, `transporters[0].flux`), with
 * the value, where (V, the concentrations the formula reads, t) and advice that fits it. Nothing
 * here runs per step.
 */

/** A number for a message: six significant digits, or NaN / Infinity as they are. */
export function shown(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** What a rate formula is: a gate's alpha/beta or open/close rate (1/ms), inf (unitless), tau (ms), a transporter's flux. */
export type FormulaRole = "rate" | "inf" | "tau" | "flux";

/** A formula to judge: its field path, role, the concentrations it reads, and the voltages (mV) it was checked on at load, if any. */
export interface Formula {
  readonly path: string;
  readonly role: FormulaRole;
  readonly reads: readonly number[];
  readonly checkedMv?: { readonly from: number; readonly to: number };
}

/**
 * The state a formula is evaluated in, in its own variables: V [mV], t [ms], celsius, X_in...,
 * X_out... [mM]. A time that is not finite means a steady state (no time): formulas see t = 0
 * there, as the steady solver's f does, and messages leave t out.
 */
export class FormulaPoint {
  /** The array formulas read. */
  readonly vars: Float64Array;
  /** The time (s) the terms are evaluated at. */
  readonly time: number;
  private readonly timed: boolean;

  constructor(
    readonly ionNames: readonly string[],
    V: number,
    t: number,
    celsius: number,
    inside: (k: number) => number,
    outside: (k: number) => number,
  ) {
    const n = ionNames.length;
    this.timed = Number.isFinite(t);
    this.time = this.timed ? t : 0;
    this.vars = new Float64Array(3 + 2 * n);
    this.vars[0] = V * 1e3;
    this.vars[1] = this.time * 1e3;
    this.vars[2] = celsius;
    for (let k = 0; k < n; k++) {
      this.vars[3 + k] = inside(k);
      this.vars[3 + n + k] = outside(k);
    }
  }

  /** The name of variable i (≥ 3) in formulas: K_in, Ca_out. */
  nameOf(i: number): string {
    const n = this.ionNames.length;
    return i < 3 + n ? `${this.ionNames[i - 3]}_in` : `${this.ionNames[i - 3 - n]}_out`;
  }

  /**
   * "at V = 712 mV, Ca_in = 0.0000499 mM, t = 3.2 ms": V, the concentrations `reads` names (every
   * digit: a formula may fail just past a threshold), t.
   */
  where(reads: readonly number[] = []): string {
    const concentrations = reads.map((i) => `, ${this.nameOf(i)} = ${this.vars[i]} mM`).join("");
    return `at V = ${shown(this.vars[0]!)} mV${concentrations}${this.timed ? `, t = ${shown(this.vars[1]!)} ms` : ""}`;
  }
}

const OVERFLOWS = "the formula overflows there; bound it (e.g. min(..., 1e3)) or check why the run gets there";
const UNDEFINED = "the formula is undefined there (0/0, the log or sqrt of a negative number, Infinity - Infinity); make it defined there or check why the run gets there";

/**
 * What is wrong with formula f's value x at `point`: not finite (overflow, or undefined), or out
 * of the range its role allows (the load-time checks of validate.ts, applied where the run is);
 * undefined when x is fine.
 */
export function formulaProblem(f: Formula, x: number, point: FormulaPoint): string | undefined {
  const { path, role } = f;
  const at = point.where(f.reads);
  const beyond = beyondLoadScan(f, point);
  if (Number.isNaN(x)) return `${path} is NaN ${at}${beyond}: ${UNDEFINED}`;
  if (!Number.isFinite(x)) return `${path} is ${x} ${at}${beyond}: ${OVERFLOWS}`;
  if (role === "tau" && !(x > 0)) return `${path} is ${shown(x)} ms ${at}${beyond}: a time constant must be positive (the gate would run backwards in time); keep it positive there (e.g. max(..., 0.01)) or check why the run gets there`;
  if (role === "inf" && !(x >= 0 && x <= 1)) return `${path} is ${shown(x)} ${at}${beyond}: a steady-state open fraction must be within 0..1; keep it there (e.g. min(max(..., 0), 1)) or check why the run gets there`;
  if (role === "rate" && x < 0) return `${path} is ${shown(x)} 1/ms ${at}${beyond}: a rate must not be negative; keep it at or above zero there (e.g. max(..., 0)) or check why the run gets there`;
  return undefined;
}

/** Gate formulas were checked on -150..150 mV at load: said when the run went beyond. */
function beyondLoadScan(f: Formula, point: FormulaPoint): string {
  const range = f.checkedMv;
  const v = point.vars[0]!;
  return range && (v < range.from || v > range.to) ? ` (outside the ${range.from}..${range.to} mV checked at load)` : "";
}

/** A formula whose value is fine but so large (or, for tau, so small) that what the model makes of it overflows. */
export function tooLarge(f: Formula, x: number, point: FormulaPoint, what: string): string {
  const role = f.role;
  const unit = role === "tau" ? " ms" : role === "rate" ? " 1/ms" : "";
  const size = role === "tau" ? "small" : "large";
  const bound = role === "tau" ? "max(..., 1e-3)" : "min(..., 1e3)";
  return `${f.path} is ${shown(x)}${unit} ${point.where(f.reads)}${beyondLoadScan(f, point)}: so ${size} that ${what} overflows; bound it (e.g. ${bound}) or check why the run gets there`;
}

/** The point of state y (concentrations in its ion slots) at voltage V and time t, for a mechanism built in cx. */
export function pointAt(cx: BuildContext, V: number, y: Float64Array, t: number): FormulaPoint {
  const L = cx.layout;
  return new FormulaPoint(
    cx.scenario.ions.map((i) => i.name),
    V,
    t,
    cx.scenario.temperature - 273.15,
    (k) => y[L.cIn[k]!]!,
    (k) => y[L.cOut[k]!]!,
  );
}

/** The variables (indices into FormulaPoint.vars) of ion k's inside and outside concentrations. */
export function concentrationVariables(cx: BuildContext, k: number): [number, number] {
  return [3 + k, 3 + cx.scenario.ions.length + k];
}

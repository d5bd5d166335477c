import { createRequire } from "node:module";
import { analyseExpression, ExpressionError, removeSingularities, type Compiled } from "./expression.js";
import { compileGateFormula, GATE_VARIABLE_NAMES } from "./gateFormula.js";
import type { RateFormula } from "./types.js";

/**
 * A rate formula that may read concentrations (gate rates, transporter fluxes; physics.md "Rates
 * that depend on concentrations"), compiled to closures with the partial derivatives the stiff
 * solver's Jacobian needs (the RateFormula of types.ts, which validation attaches to the Scenario).
 * The partial derivatives with respect to the concentrations it reads are exact: mathjs
 * differentiates the text symbolically once, and the result is compiled like any formula. Where it
 * cannot (min, max, conditions), or where the derivative has a singularity the formula does not,
 * a central difference with a relative step stands in; `exact` says which.
 */
export type { RateFormula } from "./types.js";

/** `object` with `compiled` as a property that JSON.stringify, Object.keys and spreads do not see. */
export function withCompiled<T extends object, C>(object: T, compiled: C): T & { readonly compiled: C } {
  return withHidden(object, "compiled", compiled);
}

/** `object` with `key` as a property that JSON.stringify, Object.keys and spreads do not see (compiled closures, field paths). */
export function withHidden<T extends object, K extends string, V>(object: T, key: K, value: V): T & { readonly [P in K]: V } {
  return Object.defineProperty(object, key, { value, enumerable: false }) as T & { readonly [P in K]: V };
}

export function rateVariableNames(ions: readonly string[]): string[] {
  return [...GATE_VARIABLE_NAMES, ...ions.map((n) => `${n}_in`), ...ions.map((n) => `${n}_out`)];
}

type Differentiate = (text: string, variable: string) => string;
let differentiate: Differentiate | undefined;
function symbolic(): Differentiate {
  if (!differentiate) {
    const { create, all } = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
    const math = create(all);
    differentiate = (text, variable) => math.derivative(text, variable, { simplify: false }).toString();
  }
  return differentiate;
}

const cache = new Map<string, RateFormula>();

/** Compiles a rate formula and its partial derivatives (see RateFormula). Throws ExpressionError on bad text. */
export function compileRateFormula(text: string, constants: Readonly<Record<string, number>>, ions: readonly string[]): RateFormula {
  const key = `${text}\u0000${JSON.stringify(constants)}\u0000${ions.join(",")}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const names = rateVariableNames(ions);
  const value = compileGateFormula(text, constants, ions);
  const identifiers = new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  const reads = names.map((n, i) => (i >= GATE_VARIABLE_NAMES.length && identifiers.has(n) ? i : -1)).filter((i) => i >= 0);
  const template = new Float64Array(names.length).fill(1.37);
  template.set([0, 0, 20]);
  const partials: Compiled[] = [];
  const exact: boolean[] = [];
  for (const i of reads) {
    let d: Compiled | undefined;
    try {
      // constants are substituted as names mathjs treats as constants; the derivative is compiled like the formula
      const dText = symbolic()(text, names[i]!);
      d = removeSingularities(analyseExpression(dText, names, constants), 0, template).fn;
    } catch (e) {
      if (!(e instanceof ExpressionError) && !(e instanceof Error && /derivative|Unexpected type|not supported/i.test(e.message))) throw e;
      d = undefined;
    }
    exact.push(d !== undefined);
    partials.push(d ?? centralDifference(value, i));
  }
  // as the identifiers are found above: "2V" (implicit multiplication) reads V too
  const readsV = identifiers.has("V");
  const rate: RateFormula = { value, reads, partials, exact, dV: centralDifference(value, 0, 1e-3), readsV, readsT: identifiers.has("t") };
  if (cache.size > 10_000) cache.clear();
  cache.set(key, rate);
  return rate;
}

/** ∂f/∂x_i by a central difference; the step is relative to x_i (absolute `floor` near zero). */
function centralDifference(f: Compiled, i: number, floor = 1e-15): Compiled {
  return (x) => {
    const saved = x[i]!;
    const h = Math.max(Math.abs(saved) * 1e-6, floor);
    x[i] = saved + h;
    const up = f(x);
    x[i] = saved - h;
    const down = f(x);
    x[i] = saved;
    return (up - down) / (2 * h);
  };
}

import { compileDenominators, compileExpression, removeSingularities, type Compiled } from "./expression.js";

/** Variables of gate formulas, in the order of the Float64Array they read: V [mV], t [ms], celsius. */
export const GATE_VARIABLE_NAMES = ["V", "t", "celsius"] as const;

const cache = new Map<string, Compiled>();

/**
 * A gate formula compiled to a closure of (V [mV], t [ms], celsius), with removable
 * singularities in V replaced by their limits (scanned over -500..500 mV at t = 0, 20 degC).
 * With `ions`, the formula may also read their concentrations in mM: the closure's array then
 * continues with X_in for each ion, then X_out (scanned at 1.37 mM).
 * Cached by text, constants and ions: the runs of a sweep compile each formula once.
 */
export function compileGateFormula(text: string, constants: Readonly<Record<string, number>>, ions: readonly string[] = []): Compiled {
  const key = `${text}\u0000${JSON.stringify(constants)}\u0000${ions.join(",")}`;
  let fn = cache.get(key);
  if (!fn) {
    const names = [...GATE_VARIABLE_NAMES, ...ions.map((n) => `${n}_in`), ...ions.map((n) => `${n}_out`)];
    const raw = compileExpression(text, names, constants);
    const template = new Float64Array(names.length).fill(1.37);
    template.set([0, 0, 20]);
    fn = removeSingularities(raw, compileDenominators(text, names, constants), 0, template).fn;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

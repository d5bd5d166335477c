import { compileDenominators, compileExpression, removeSingularities, type Compiled } from "./expression.js";

/** Variables of gate formulas, in the order of the Float64Array they read: V [mV], t [ms], celsius. */
export const GATE_VARIABLE_NAMES = ["V", "t", "celsius"] as const;

const cache = new Map<string, Compiled>();

/**
 * A gate formula compiled to a closure of (V [mV], t [ms], celsius), with removable
 * singularities in V replaced by their limits (scanned over -500..500 mV at t = 0, 20 degC).
 * Cached by text and constants: the runs of a sweep compile each formula once.
 */
export function compileGateFormula(text: string, constants: Readonly<Record<string, number>>): Compiled {
  const key = `${text}\u0000${JSON.stringify(constants)}`;
  let fn = cache.get(key);
  if (!fn) {
    const names = GATE_VARIABLE_NAMES as readonly string[];
    const raw = compileExpression(text, names, constants);
    fn = removeSingularities(raw, compileDenominators(text, names, constants), 0, Float64Array.of(0, 0, 20)).fn;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

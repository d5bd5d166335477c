import { dopri5 } from "./explicit/dopri5.js";
import { euler } from "./explicit/euler.js";
import { rk4 } from "./explicit/rk4.js";
import { rodas4 } from "./implicit/rodas4.js";
import type { Method } from "./types.js";

/** Every method, by its own name. The convergence test runs each entry of this list. */
export const METHODS: readonly Method[] = [euler, rk4, dopri5, rodas4];

/**
 * Names a scenario may use. `bdf` is the stiff method's name in the scenario contract
 * (scenario-format.md); it selects RODAS4, our stiff solver.
 */
const ALIASES: Readonly<Record<string, string>> = { bdf: "rodas4" };

export const METHOD_NAMES: readonly string[] = [...METHODS.map((m) => m.name), ...Object.keys(ALIASES)];
export const DEFAULT_METHOD = "bdf";

export function findMethod(name: string): Method | undefined {
  const resolved = ALIASES[name] ?? name;
  return METHODS.find((m) => m.name === resolved);
}

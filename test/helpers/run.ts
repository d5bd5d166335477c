import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";
import { simulate } from "../../src/simulation/simulate.js";

/** Runs a scenario file through the library (no files written), with optional --set overrides. */
export function runScenario(file: string, sets: readonly string[] = []) {
  const { scenario } = loadScenarioFile(file, sets.map(parseOverride));
  const model = new MembraneModel(scenario);
  const recorder = new MemoryRecorder();
  const result = simulate(model, scenario.run, recorder);
  const n = model.ionCount;
  const conc = (ion: string) => {
    const k = model.ionNames.indexOf(ion);
    return { in: result.yEnd[1 + k]!, out: result.yEnd[1 + n + k]! };
  };
  return { scenario, model, recorder, result, conc, V_mV: result.yEnd[0]! * 1e3 };
}

/** Bisection on [a, b] (sign change required): slow, simple and independent of the code under test. */
export function bisect(f: (x: number) => number, a: number, b: number, iterations = 200): number {
  let fa = f(a);
  if (fa * f(b) > 0) throw new Error(`no sign change on [${a}, ${b}]`);
  for (let i = 0; i < iterations; i++) {
    const m = 0.5 * (a + b);
    const fm = f(m);
    if (fm === 0) return m;
    if (fa * fm < 0) b = m;
    else {
      a = m;
      fa = fm;
    }
  }
  return 0.5 * (a + b);
}

export const F = 96485.33212;
export const R = 8.314462618;

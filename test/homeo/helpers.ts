import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";
import { simulate } from "../../src/simulation/simulate.js";
import { F } from "../helpers/run.js";

/** Runs scenario text through the library (no files), with --set overrides. */
export function runText(text: string, sets: readonly string[] = []) {
  const scenario = parseScenario(text, "test.yaml", sets.map(parseOverride));
  const model = new MembraneModel(scenario);
  const recorder = new MemoryRecorder();
  const result = simulate(model, scenario.run, recorder);
  const L = model.layout;
  const y = result.yEnd;
  const conc = (ion: string) => {
    const k = model.ionNames.indexOf(ion);
    return { in: y[L.cIn[k]!]!, out: y[L.cOut[k]!]! };
  };
  return { scenario, model, recorder, result, conc, V: y[L.V]! };
}

/**
 * The invariants of physics.md worked here from the state, not by the code under test: per ion the
 * moles c_in·vol_in + c_out·vol_out (volumes of the moment; `volumes` gives them from a state), and
 * the charge identity C_m·A·(V − V0) = F·Σ z·(n_in − n_in0) (no applied current in these tests).
 */
export function driftsOf(run: ReturnType<typeof runText>, volumes: (y: Float64Array) => [number, number] = (y) => [run.model.volumeInOf(y), run.model.volumeOutOf(y)]) {
  const { model, result } = run;
  const L = model.layout;
  const y0 = model.y0;
  const y = result.yEnd;
  const [vin0, vout0] = volumes(y0);
  const [vin, vout] = volumes(y);
  const moles: Record<string, number> = {};
  let charge = 0;
  model.ionNames.forEach((name, k) => {
    const z = model.scenario.ions[k]!.valence;
    // the concentrations the run reports (its CSV columns) times the volumes of the moment
    const nIn0 = model.concentrationIn(k, y0) * vin0;
    const nIn = model.concentrationIn(k, y) * vin;
    charge += z * (nIn - nIn0);
    if (Number.isFinite(vout)) {
      const before = nIn0 + model.concentrationOut(k, y0) * vout0;
      const after = nIn + model.concentrationOut(k, y) * vout;
      if (before > 0) moles[name] = Math.abs(after - before) / before;
    }
  });
  const membrane = model.scenario.cell.capacitance * model.scenario.cell.area * (y[L.V]! - y0[L.V]!);
  const scale = model.scenario.cell.capacitance * model.scenario.cell.area * Math.max(Math.abs(y[L.V]! - y0[L.V]!), 1e-3);
  return { moles, chargeRelative: Math.abs(membrane - F * charge) / scale };
}

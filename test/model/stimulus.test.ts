import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulation/simulate.js";
import { F } from "../helpers/run.js";

/** A bare capacitor (no channel): each pulse moves V by exactly A·I·d/(C_m·A) = I·d/C_m. */
const CAPACITOR = (method: string, carried: string) => `
name: capacitor
temperature: 20 degC
cell: { area: 1000 um^2, volume: 1 pL }
bath: { volume: 4 pL }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
stimulus:
  - { start: 1.3 ms, duration: 0.7 ms, amplitude: 10 uA/cm^2 ${carried} }
  - { start: 1.6 ms, duration: 2.25 ms, amplitude: -4 uA/cm^2 }
initial: { voltage: -70 mV }
run: { method: ${method}, duration: 10 ms, dt: 0.3 ms, record-every: 0.5 ms }
`;

function run(text: string) {
  const scenario = parseScenario(text, "inline.yaml");
  const model = new MembraneModel(scenario);
  const recorder = new MemoryRecorder();
  return { scenario, model, recorder, result: simulate(model, scenario.run, recorder) };
}

describe("applied current pulses", () => {
  for (const method of ["euler", "rk4", "rk45", "bdf"]) {
    for (const carried of ["", ", carried-by: K"]) {
      it(`${method}${carried ? " (carried by K)" : ""}: V steps by exactly I·d/C_m, landing on every edge`, () => {
        const { result, recorder, model } = run(CAPACITOR(method, carried));
        // 10 uA/cm^2 = 0.1 A/m^2 for 0.7 ms, -4 uA/cm^2 = -0.04 A/m^2 for 2.25 ms, C_m = 0.01 F/m^2
        const dV = (0.1 * 0.7e-3 - 0.04 * 2.25e-3) / 0.01;
        expect(Math.abs(result.yEnd[0]! - (-0.07 + dV))).toBeLessThan(1e-15);
        // at t = 1.5 ms only the first pulse has acted for 0.2 ms: a recorded row in mid-pulse
        const t = recorder.series("t");
        const v = recorder.series("V");
        const i = t.findIndex((x) => Math.abs(x - 1.5e-3) < 1e-15);
        expect(i).toBeGreaterThan(0);
        expect(Math.abs(v[i]! / 1e3 - (-0.07 + (0.1 * 0.2e-3) / 0.01))).toBeLessThan(1e-14);
        const kIn = result.yEnd[1]!;
        const delivered = carried ? (model.area * 0.1 * 0.7e-3) / (F * model.volumeIn) : 0;
        expect(Math.abs(kIn - 140 - delivered)).toBeLessThan(1e-12);
        expect(result.invariants.chargeRelative).toBeLessThan(1e-10);
        expect(result.invariants.molesRelative!.K).toBeLessThan(1e-14);
      });
    }
  }

  it("the stop rule, the I_net column and E_rev see the applied current", () => {
    const text = CAPACITOR("bdf", "").replace("ions:", "channels:\n  - { ion: K, conductance: 1 mS/cm^2 }\nions:");
    const { recorder } = run(text);
    const t = recorder.series("t");
    const inet = recorder.series("I_net");
    const iK = recorder.series("I_K");
    const row = t.findIndex((x) => Math.abs(x - 1.5e-3) < 1e-15);
    expect(row).toBeGreaterThan(0);
    // during the first pulse alone: I_net = I_K - I_app (uA/cm^2)
    expect(inet[row]!).toBeCloseTo(iK[row]! - 10, 10);
  });
});

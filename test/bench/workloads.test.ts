import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SweepRunner } from "../../src/sweep/runOne.js";
import { runScenario } from "../helpers/run.js";

/** docs/benchmarks.md references (scipy Radau at rtol 1e-11, cross-checked with CVODE and DOP853). */
const W1 = { V: -30.21422413696, settle: 88.4764, Na_in: 45.76651834397, K_in: 121.7766921214, Cl_in: 22.54212887789, Na_out: 61.93392662413, K_out: 36.89323151439, Cl_out: 69.83148448845, V10: -69.76219281707 };

describe("benchmark workloads against their references (accuracy only; speed is npm run bench)", () => {
  it("W1 at the default tolerances: |V error| <= 1e-5 mV, settle time within 0.5 s", () => {
    const r = runScenario("sims/bench/w1-run-down.yaml", ["run.record-every=10 s"]);
    expect(Math.abs(r.V_mV - W1.V)).toBeLessThan(1e-5);
    expect(Math.abs(r.result.tConverged! - W1.settle)).toBeLessThan(0.5);
    const c = (ion: string) => r.conc(ion);
    for (const [got, want] of [[c("Na").in, W1.Na_in], [c("K").in, W1.K_in], [c("Cl").in, W1.Cl_in], [c("Na").out, W1.Na_out], [c("K").out, W1.K_out], [c("Cl").out, W1.Cl_out]] as const) {
      expect(Math.abs(got - want) / want).toBeLessThan(1e-6);
    }
    // V(10 s) from the recorded row (dense output with the slow-manifold projection)
    expect(Math.abs(r.recorder.series("V")[1]! - W1.V10)).toBeLessThan(1e-4);
  });

  it("W3: RK4 at 10 us for 10 s gives V(10 s) = -69.762192817107 mV to 1e-9 mV", () => {
    const r = runScenario("sims/bench/w3-fixed-step.yaml", ["run.record-every=10 s"]);
    expect(r.result.stats.steps).toBe(1_000_000);
    expect(Math.abs(r.V_mV - -69.762192817107)).toBeLessThan(1e-9);
  });

  it("W2: the 25 x 40 sweep's checksum (sum of V(t_end), volts) within 1e-4 V of -41.56250571637", () => {
    const text = readFileSync("sims/bench/w1-run-down.yaml", "utf8");
    const runner = new SweepRunner(text, "w1");
    let sum = 0;
    for (let k = 0; k < 1000; k++) {
      const i = Math.floor(k / 40);
      const j = k % 40;
      const g = i === 0 ? 0.1 : i === 24 ? 1.0 : 10 ** (-1 + i / 24);
      const pump = j === 39 ? 2.0 : 0.1 + ((2.0 - 0.1) * j) / 39;
      const r = runner.run(k, [`channels.k-leak.conductance=${g} mS/cm^2`, `pumps.pump.max-current=${pump} uA/cm^2`]);
      expect(r.error).toBeUndefined();
      sum += r.V_final_mV! / 1e3;
    }
    expect(Math.abs(sum - -41.56250571637)).toBeLessThan(1e-4);
  });
});

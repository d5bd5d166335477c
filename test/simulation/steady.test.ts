import { describe, expect, it } from "vitest";
import { runScenario } from "../helpers/run.js";

/**
 * `run.method: steady` against long time-stepped runs (the ODE's own end state) and against the
 * decay rate a time-stepped run shows near the end (which checks the stability eigenvalue).
 */
describe("steady-state solver", () => {
  for (const [file, duration] of [
    ["sims/donnan.yaml", "48 h"],
    ["sims/pump-leak-recovery.yaml", "30 h"],
    ["sims/k-nernst.yaml", "1 s"],
    ["sims/squid-axon-ghk.yaml", "2000 h"],
    ["sims/neuron-chord.yaml", "200 h"],
    ["sims/bench/w1-run-down.yaml", "5 h"],
  ] as const) {
    it(`${file}: agrees with a ${duration} bdf run, conserves every invariant, and is stable`, () => {
      const steady = runScenario(file, ["run.method=steady"]);
      const long = runScenario(file, ["run.method=bdf", "run.stop=null", `run.duration=${duration}`, `run.record-every=${duration}`, "run.rtol=1e-9", "run.atol=1e-12"]);
      expect(steady.result.converged).toBe(true);
      expect(steady.result.steady!.stable).toBe(true);
      expect(Math.abs(steady.V_mV - long.V_mV)).toBeLessThan(1e-5);
      for (let i = 1; i < steady.result.yEnd.length; i++) {
        expect(Math.abs(steady.result.yEnd[i]! - long.result.yEnd[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(long.result.yEnd[i]!)));
      }
      expect(steady.result.invariants.chargeRelative).toBeLessThan(1e-8);
      for (const d of Object.values(steady.result.invariants.molesRelative ?? {})) expect(d).toBeLessThan(1e-12);
      // at a steady state every ion's net current is zero, not just their sum
      expect(Math.abs(steady.result.netCurrentEnd)).toBeLessThan(1e-12);
    });
  }

  it("the slowest eigenvalue is the decay rate of the time course's last approach (W1: tau ~ 432 s)", () => {
    const steady = runScenario("sims/bench/w1-run-down.yaml", ["run.method=steady"]);
    const tau = -1 / steady.result.steady!.maxRealEigenvalue;
    const run = runScenario("sims/bench/w1-run-down.yaml", ["run.duration=6000 s", "run.record-every=1000 s", "run.rtol=1e-10", "run.atol=1e-13"]);
    const V = run.recorder.series("V");
    const t = run.recorder.series("t");
    const d4 = V[4]! - steady.V_mV;
    const d6 = V[6]! - steady.V_mV;
    const observedTau = (t[6]! - t[4]!) / Math.log(d4 / d6);
    expect(Math.abs(observedTau / tau - 1)).toBeLessThan(0.01);
  });

  it("counts the conserved quantities' zero eigenvalues: ions' moles + charge (+ fixed impermeant ions)", () => {
    // W1: finite bath, 3 permeant ions: 3 mole invariants + the charge identity
    expect(runScenario("sims/bench/w1-run-down.yaml", ["run.method=steady"]).result.steady!.zeroEigenvalues).toBe(4);
    // donnan: 4 ions (A, Na impermeant): 4 moles + charge + A_in and Na_in fixed
    expect(runScenario("sims/donnan.yaml", ["run.method=steady"]).result.steady!.zeroEigenvalues).toBe(7);
  });

  it("writes the initial row and the steady-state row (t empty: infinite time)", () => {
    const s = runScenario("sims/pump-leak-recovery.yaml", ["run.method=steady"]);
    const t = s.recorder.series("t");
    expect(t).toEqual([0, Infinity]);
  });
});

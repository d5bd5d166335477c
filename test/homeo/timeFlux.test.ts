import { describe, expect, it } from "vitest";
import { F } from "../helpers/run.js";
import { runText } from "./helpers.js";

/**
 * A transporter whose flux formula reads t (physics.md "Formula kinetics: J is a formula of V, the
 * concentrations, t and the temperature"): K⁺ extruded at J(t) = J₀·(1 − e^(−t/τ)), nothing else
 * crosses. Then, worked by hand, n_K,in(t) = n_K,in(0) − A·J₀·(t − τ·(1 − e^(−t/τ))) and
 * C_m·dV/dt = −F·J(t), so V(t) = V₀ − (F·J₀/C_m)·(t − τ·(1 − e^(−t/τ))).
 */
const J0 = 1e-8; // mol/(m²·s) = 1 pmol/(cm²·s)
const TAU = 0.1; // s
const CELL = `name: timed-extrusion
temperature: 37 degC
cell: { area: 1000 um^2, volume: 2 pL, capacitance: 1 uF/cm^2 }
bath: { volume: 8 pL }
ions:
  K:  { charge: 1,  inside: 140 mM, outside: 4 mM }
  A:  { charge: -1, inside: 140 mM, outside: 4 mM }
transporters:
  - { name: kout, kinetics: formula, stoichiometry: { K: 1 }, flux: "1 - exp(-t/100)", flux-unit: pmol/(cm^2*s) }
initial: { voltage: -60 mV }
run: { method: bdf, duration: 1 s, rtol: 1e-10, atol: 1e-14, record-every: 0.1 s }
`;
const integral = (t: number) => t - TAU * (1 - Math.exp(-t / TAU));

describe("a transporter flux that reads t", () => {
  for (const method of ["bdf", "rk45"]) {
    it(`moves K⁺ and V as its time course integrates (${method})`, () => {
      const run = runText(CELL, [`run.method=${method}`]);
      expect(run.result.failure).toBeUndefined();
      const t = run.result.tEnd;
      const C = 0.01;
      const A = 1000e-12;
      const volIn = 2e-15;
      expect(Math.abs(run.V - (-0.06 - ((F * J0) / C) * integral(t)))).toBeLessThan(1e-10);
      expect(Math.abs(run.conc("K").in - (140 - (A * J0 * integral(t)) / volIn))).toBeLessThan(1e-9);
      // the CSV's J_kout column is the flux at each row's own time
      const col = run.recorder.columns.findIndex((c) => c.name === "J_kout");
      for (const row of run.recorder.rows) expect(row[col]!).toBeCloseTo(1 - Math.exp(-row[0]! / TAU), 12);
    });
  }

  it("has no steady state: method steady is refused, naming the transporter", () => {
    expect(() => runText(CELL, ["run.method=steady"])).toThrow(/run\.method: transporter "kout" has a flux that reads t: a membrane driven in time has no steady state/);
  });
});

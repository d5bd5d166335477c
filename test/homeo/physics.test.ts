import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  thermodynamicCycleFlux,
  transporterCurrent,
  transporterDrivingForce,
  transporterReversalPotential,
  waterInflow,
} from "../../src/physics/transporter.js";
import { F } from "../helpers/run.js";
import { nernst, thermalVoltage } from "./closedForms.js";

const T = 310.15;

describe("transporter driving force (physics.md: Δ = Σ ν(zV + (RT/F) ln(c_in/c_out)))", () => {
  it("KCC2 (K +1, Cl +1): Δ = (RT/F)·ln(K_in Cl_in/(K_out Cl_out)), whatever V", () => {
    const expected = thermalVoltage(T) * Math.log((140 * 8) / (4 * 120)); // by hand: +22.6 mV, K and Cl leave
    for (const V of [-0.09, 0, 0.03]) expect(transporterDrivingForce([1, 1], [1, -1], [140, 8], [4, 120], V, T)).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(0.022645, 6);
  });
  it("NKCC1 (Na −1, K −1, Cl −2): Δ = −(RT/F)·ln(Na_in K_in Cl_in²/(Na_out K_out Cl_out²))", () => {
    const d = transporterDrivingForce([-1, -1, -2], [1, 1, -1], [10, 140, 8], [145, 4, 120], -0.07, T);
    expect(d).toBeCloseTo(-thermalVoltage(T) * Math.log((10 * 140 * 64) / (145 * 4 * 14400)), 14);
    expect(d).toBeGreaterThan(0); // it brings Cl in
  });
  it("NCX (Na −3, Ca +1): Δ = 3·E_Na − 2·E_Ca − V, so its reversal is 3·E_Na − 2·E_Ca", () => {
    const eNa = nernst(1, 10, 145, T);
    const eCa = nernst(2, 1e-4, 2, T);
    for (const V of [-0.08, -0.02]) expect(transporterDrivingForce([-3, 1], [1, 2], [10, 1e-4], [145, 2], V, T)).toBeCloseTo(3 * eNa - 2 * eCa - V, 13);
    expect(transporterReversalPotential([-3, 1], [1, 2], [10, 1e-4], [145, 2], T)).toBeCloseTo(3 * eNa - 2 * eCa, 13);
    expect(transporterReversalPotential([1, 1], [1, -1], [140, 8], [4, 120], T)).toBeNaN();
  });
  it("the Na/K pump as a transporter (Na +3, K −2) carries F·J outward; NCX −F·J; KCC2 none", () => {
    expect(transporterCurrent(2e-8, [3, -2], [1, 1])).toBeCloseTo(F * 2e-8, 18);
    expect(transporterCurrent(2e-8, [-3, 1], [1, 2])).toBeCloseTo(-F * 2e-8, 18);
    expect(transporterCurrent(2e-8, [1, 1], [1, -1])).toBe(0);
  });
  it("thermodynamic kinetics never run uphill: J·Δ ≥ 0 for any state (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 500, noNaN: true }),
        fc.double({ min: 1e-6, max: 500, noNaN: true }),
        fc.double({ min: 1e-6, max: 500, noNaN: true }),
        fc.double({ min: 1e-6, max: 500, noNaN: true }),
        fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (a, b, c, d, V, g) => {
          const delta = transporterDrivingForce([-3, 1], [1, 2], [a, b], [c, d], V, T);
          // the free energy it dissipates per second, g·Δ², is never negative
          return thermodynamicCycleFlux(g, delta) * F * delta >= 0;
        },
      ),
    );
  });
  it("water flows toward the higher osmolarity: A·P_f·v_w·(Osm_in − Osm_out)", () => {
    expect(waterInflow(1e-9, 1e-4, 310, 300)).toBeCloseTo(1e-9 * 1e-4 * 18e-6 * 10, 25);
    expect(waterInflow(1e-9, 1e-4, 290, 300)).toBeLessThan(0);
  });
});

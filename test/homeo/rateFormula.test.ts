import { describe, expect, it } from "vitest";
import { compileRateFormula, rateVariableNames } from "../../src/scenario/rateFormula.js";

const IONS = ["Na", "K", "Ca"];
/** [V mV, t ms, celsius, Na_in, K_in, Ca_in, Na_out, K_out, Ca_out] */
const AT = Float64Array.of(-63.7, 12, 37, 12, 140, 2.3e-4, 145, 4, 2);

describe("rate formulas that read concentrations, with their partial derivatives", () => {
  it("orders the variables V, t, celsius, then X_in and X_out per ion", () => {
    expect(rateVariableNames(IONS)).toEqual(["V", "t", "celsius", "Na_in", "K_in", "Ca_in", "Na_out", "K_out", "Ca_out"]);
  });

  // each formula with its derivative worked by hand, at AT
  const cases: [string, number[], ((x: Float64Array) => number)[], boolean][] = [
    // the SK gate's inf = c^4/(c^4 + K^4): d/dc = 4 c^3 K^4 / (c^4 + K^4)^2
    ["Ca_in^4 / (Ca_in^4 + 0.0005^4)", [5], [(x) => (4 * x[5]! ** 3 * 0.0005 ** 4) / (x[5]! ** 4 + 0.0005 ** 4) ** 2], true],
    // a saturating pump J_max c/(c + K_m): d/dc = J_max K_m/(c + K_m)^2
    ["5.96 * Ca_in / (Ca_in + Km)", [5], [(x) => (5.96 * 0.0005) / (x[5]! + 0.0005) ** 2], true],
    // the Na/K pump of physics.md as a formula of Na_in and K_out
    [
      "Jmax * (Na_in / (Na_in + 10))^3 * (K_out / (K_out + 1.5))^2",
      [3, 7],
      [
        (x) => 2 * 3 * (x[3]! / (x[3]! + 10)) ** 2 * (10 / (x[3]! + 10) ** 2) * (x[7]! / (x[7]! + 1.5)) ** 2,
        (x) => 2 * (x[3]! / (x[3]! + 10)) ** 3 * 2 * (x[7]! / (x[7]! + 1.5)) * (1.5 / (x[7]! + 1.5) ** 2),
      ],
      true,
    ],
    // V and a concentration together, with the removable singularity of HH rates at V = -40
    ["0.1 * (V + 40) / (1 - exp(-(V + 40) / 10)) * K_out / 4", [7], [(x) => (0.1 * (x[0]! + 40)) / (1 - Math.exp(-(x[0]! + 40) / 10)) / 4], true],
    // min() has no symbolic derivative in mathjs: a central difference stands in
    ["min(Ca_in, 1) * 3", [5], [() => 3], false],
  ];
  for (const [text, reads, expected, exact] of cases) {
    it(text, () => {
      const f = compileRateFormula(text, { Km: 0.0005, Jmax: 2 }, IONS);
      expect(f.reads).toEqual(reads);
      expect(f.exact).toEqual(reads.map(() => exact));
      const x = Float64Array.from(AT);
      f.partials.forEach((d, i) => {
        const want = expected[i]!(x);
        expect(Math.abs(d(x) - want)).toBeLessThan((exact ? 1e-13 : 1e-8) * Math.abs(want));
      });
      // the array is left as it was
      expect([...x]).toEqual([...AT]);
    });
  }

  it("the V partial at the removable singularity of an HH rate is the limit's slope", () => {
    const f = compileRateFormula("0.1 * (V + 40) / (1 - exp(-(V + 40) / 10))", {}, IONS);
    const x = Float64Array.from(AT);
    x[0] = -40;
    // d/dV of u/(1 - e^(-u/10))·0.1 at u = 0 is 0.1·1/2 = 0.05 (series: 1 + u/20 + ...)
    expect(f.dV(x)).toBeCloseTo(0.05, 6);
  });
});

describe("which variables a rate formula reads", () => {
  it("V written with implicit multiplication (2V) is read, so the Jacobian gets its ∂/∂V", () => {
    for (const text of ["0.01V + Ca_in", "0.01 * V + Ca_in", "exp(V/25) * Ca_in"]) expect(compileRateFormula(text, {}, ["Ca"]).readsV, text).toBe(true);
    for (const text of ["Ca_in / (Ca_in + 0.5)", "celsius * Ca_in"]) expect(compileRateFormula(text, {}, ["Ca"]).readsV, text).toBe(false);
    const r = compileRateFormula("0.01V + Ca_in", {}, ["Ca"]);
    const x = Float64Array.from([-65, 0, 37, 0.2, 2]);
    expect(r.dV(x)).toBeCloseTo(0.01, 9);
  });
});

import { describe, expect, it } from "vitest";
import { runScenario } from "../helpers/run.js";

/**
 * Concentrations near zero (issue "Trust, round 2": with K_in = 1e-300 mM the stiff method ended
 * at 0 mV with exit 0 where rk45 gives 144.47 mV). An ohmic channel's ion needs at least one ion in
 * its compartment (below that a Nernst potential means nothing, and the Jacobian ∝ 1/c is beyond
 * double precision): refused, naming the ion. Above it, the stiff method agrees with rk45.
 */
describe("an ohmic channel's ion close to zero", () => {
  for (const c of ["1e-300 mM", "1e-40 mM", "1e-12 mM"]) {
    it(`K_in = ${c} is refused, naming the ion and the one-ion concentration`, () => {
      expect(() => runScenario("sims/k-nernst.yaml", [`ions.K.inside=${c}`])).toThrow(/ions\.K\.inside: .* mM is less than one ion in the cell \(5\.0e-8 mM in 0\.0335 pL\): channel "k-leak" is ohmic/);
    });
  }

  it("K_in = 1e-7 mM (two ions in the cell): the stiff method and rk45 end at the same V", () => {
    const common = ["ions.K.inside=1e-7 mM", "run.stop=null", "run.duration=0.4 s", "run.rtol=1e-9", "run.atol=1e-15"];
    const bdf = runScenario("sims/k-nernst.yaml", [...common, "run.method=bdf"]);
    const rk45 = runScenario("sims/k-nernst.yaml", [...common, "run.method=rk45"]);
    expect(bdf.result.failure).toBeUndefined();
    expect(rk45.result.failure).toBeUndefined();
    expect(bdf.V_mV).toBeGreaterThan(100);
    // measured 1.1e-7 mV (both at rtol 1e-9)
    expect(Math.abs(bdf.V_mV - rk45.V_mV)).toBeLessThan(1e-6);
  });
});

import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { eigenvalues } from "../../src/numerics/eigenvalues.js";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";
import { simulate } from "../../src/simulation/simulate.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { euler } from "../../src/solvers/explicit/euler.js";
import { rk4 } from "../../src/solvers/explicit/rk4.js";
import { integrate } from "../../src/solvers/integrate.js";
import { largestStableStep } from "../../src/solvers/stability.js";
import { centralDifferences } from "../helpers/jacobian.js";

describe("the stability bound of the fixed-step methods", () => {
  // to 1e-10: the search accepts |R| ≤ 1 + 1e-12 (round-off in R), which moves a bound by ~1e-12
  it("matches the known regions: euler |1 + z| ≤ 1, rk4's real interval [−2.7853, 0] and imaginary reach 2√2", () => {
    expect(largestStableStep(euler, [{ re: -1, im: 0 }])).toBeCloseTo(2, 10);
    // |1 + h(−1 + i)|² = (1 − h)² + h² ≤ 1 ⇔ h ≤ 1
    expect(largestStableStep(euler, [{ re: -1, im: 1 }])).toBeCloseTo(1, 10);
    // rk4 on the negative real axis: the real root of 1 + z + z²/2 + z³/6 + z⁴/24 = −1 ... |R| = 1 at z = −2.785293563405...
    expect(largestStableStep(rk4, [{ re: -1, im: 0 }])).toBeCloseTo(2.785293563405282, 10);
    // near the imaginary axis rk4 reaches 2√2 (its boundary crosses it there)
    expect(largestStableStep(rk4, [{ re: -1e-9, im: 1 }])).toBeCloseTo(2 * Math.SQRT2, 6);
    // the fastest mode sets the bound; zero and growing modes set none; round-off of zero is ignored
    expect(largestStableStep(euler, [{ re: -10, im: 0 }, { re: -1, im: 0 }, { re: 0, im: 0 }, { re: 2e-18, im: 0 }, { re: -1e-60, im: 1e-58 }])).toBeCloseTo(0.2, 10);
    expect(largestStableStep(euler, [{ re: 0, im: 0 }])).toBe(Infinity);
  });

  it("is the real one for a membrane: euler just inside it relaxes onto E_K, just outside it grows without bound", () => {
    const { scenario } = loadScenarioFile("sims/k-nernst.yaml", [parseOverride("run.stop=null")]);
    const model = new MembraneModel(scenario);
    // the bound from an independent Jacobian: central differences of the right-hand side
    const n = model.size;
    const { numeric } = centralDifferences(model, Float64Array.from(model.y0));
    const fastest = Math.max(...eigenvalues(numeric, n).map((m) => -m.re));
    const bound = 2 / fastest; // euler, real eigenvalues
    const run = (dt: number) => {
      const m = new MembraneModel(scenario);
      const control = { rtol: 1e-6, atol: 1e-9, dt, hMin: 1e-15, hMax: 1, maxSteps: 1e8 };
      let worst = 0;
      try {
        const r = integrate(m.problem(400 * bound), euler, control, (_a, _t, y) => ((worst = Math.max(worst, Math.abs(y[0]!))), false));
        return { V: r.y[0]!, worst };
      } catch {
        return { V: NaN, worst: Infinity };
      }
    };
    const inside = run(0.98 * bound);
    expect(Math.abs(inside.V * 1e3 - -89.056)).toBeLessThan(0.01);
    const outside = run(1.02 * bound);
    expect(outside.worst).toBeGreaterThan(1); // volts: the oscillation about E_K grew past any membrane voltage
    // and simulate refuses the step outside, with that bound in its message
    const refused = () => simulate(new MembraneModel(scenario), { ...scenario.run, method: "euler", dt: 1.02 * bound }, new MemoryRecorder());
    expect(refused).toThrow(new RegExp(`run\\.dt: .* is beyond euler's stability bound for this model: .*dt must be at most ${Number((bound * 1e3).toPrecision(3))} ms`));
    expect(() => simulate(new MembraneModel(scenario), { ...scenario.run, method: "euler", dt: 0.98 * bound, duration: 0.01 }, new MemoryRecorder())).not.toThrow();
  });
});

import { describe, expect, it } from "vitest";
import { compileMechanism } from "../../src/model/assemble.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

/**
 * Every registered mechanism's three forms against each other: the evaluated current (physics/
 * formulas), the generated code for the right-hand side, and the generated partial derivatives
 * (the exact Jacobian) against central differences of the evaluated current, in every slot of
 * the state (a slot the mechanism does not list must have a zero difference).
 */
const CASES: [string, string[]][] = [
  ["sims/bench/w1-run-down.yaml", []], // ohmic channels and the Na/K pump, finite bath
  ["sims/squid-axon-ghk.yaml", []], // GHK channels
  ["sims/hh-squid-train.yaml", []], // gated ohmic channels (m^3 h, n^4)
  ["sims/k-noise-small.yaml", []], // an exact stochastic population
  ["sims/neuron-chord.yaml", []],
  ["sims/ca-activated-k.yaml", []], // transporters (thermodynamic, formula) and a gate that reads Ca_in
  ["sims/chloride-nkcc1-immature.yaml", []], // an electroneutral transporter on three ions
];

describe("each mechanism is declared once: evaluated, compiled and differentiated forms agree", () => {
  for (const [file, sets] of CASES) {
    it(file, () => {
      const { scenario } = loadScenarioFile(file, sets.map(parseOverride));
      const model = new MembraneModel(scenario);
      const m = model.size;
      let checked = 0;
      for (const mech of model.mechanisms) {
        const compiled = compileMechanism(model.layout, mech);
        const partials = new Float64Array(m);
        for (let trial = 0; trial < 5; trial++) {
          // states around the initial one: V over -100..+40 mV, concentrations ×0.6..1.4, gates in (0, 1)
          const y = Float64Array.from(model.y0, (v, i) => {
            const kind = model.layout.slots[i]!.kind;
            if (kind === "voltage") return -0.1 + 0.035 * trial;
            if (kind === "gate") return 0.1 + 0.17 * trial + 0.01 * i;
            return v * (0.6 + 0.2 * trial);
          });
          const V = y[model.layout.V]!;
          const evaluated = mech.current(V, y);
          const fast = compiled.current(0, y);
          expect(Math.abs(fast - evaluated)).toBeLessThanOrEqual(1e-12 * Math.abs(evaluated) + 1e-18);
          compiled.partials(0, y, partials);
          for (let j = 0; j < m; j++) {
            const h = 1e-6 * Math.max(Math.abs(y[j]!), j === model.layout.V ? 1e-3 : 1e-3);
            const at = (x: number) => {
              const z = Float64Array.from(y);
              z[j] = x;
              return mech.current(z[model.layout.V]!, z);
            };
            const fd = (at(y[j]! + h) - at(y[j]! - h)) / (2 * h);
            const scale = Math.abs(fd) + Math.abs(partials[j]!);
            // central differences: error ~h²·f'''/6 (1e-12 relative at h = 1e-6·|y|) plus round-off ε|I|/h;
            // the largest seen is 0.15 of this bound
            expect(Math.abs(partials[j]! - fd)).toBeLessThanOrEqual(1e-9 * scale + (1e-15 * Math.abs(evaluated)) / h);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});

/**
 * The observables' per-ion currents (E_rev, I_net, the V root of long steps) come from code
 * generated like the right-hand side's: each ion's sum must be Σ coefficient·current of the
 * mechanisms that carry it, evaluated one by one. Shown to fail when a carry's coefficient is
 * dropped in the generated sum (NKCC1's 2 Cl⁻, the pump's 3 Na⁺ : 2 K⁺) and when a mechanism is
 * left out of it.
 */
describe("the per-ion current sums of the observables equal the mechanisms' currents, carried", () => {
  for (const [file] of CASES) {
    it(file, () => {
      const { scenario } = loadScenarioFile(file);
      const model = new MembraneModel(scenario);
      const n = model.ionCount;
      const out = new Float64Array(n);
      for (let trial = 0; trial < 5; trial++) {
        const y = Float64Array.from(model.y0, (v, i) => (model.layout.slots[i]!.kind === "gate" ? 0.1 + 0.17 * trial : model.layout.slots[i]!.kind === "voltage" ? v : v * (0.6 + 0.2 * trial)));
        const V = -0.1 + 0.035 * trial;
        const expected = new Float64Array(n);
        for (const m of model.mechanisms) {
          const current = m.current(V, y);
          for (const c of m.carries) expected[c.ion]! += c.coefficient * current;
        }
        const total = model.ionicCurrents(V, y, out);
        const scale = expected.reduce((a, x) => a + Math.abs(x), 0);
        for (let k = 0; k < n; k++) expect(Math.abs(out[k]! - expected[k]!), `${model.ionNames[k]} at trial ${trial}`).toBeLessThanOrEqual(1e-13 * scale);
        expect(Math.abs(total - expected.reduce((a, x) => a + x, 0))).toBeLessThanOrEqual(1e-13 * scale);
      }
    });
  }
});

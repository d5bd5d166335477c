import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { finiteDifferenceJacobian } from "../../src/numerics/jacobian.js";
import { runScenario } from "../helpers/run.js";
import { centralDifferences } from "../helpers/jacobian.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { loadScenarioFile } from "../../src/scenario/load.js";

const ALL_SIMS = readdirSync("sims").filter((f) => f.endsWith(".yaml")).map((f) => `sims/${f}`);
// stochastic scenarios have their own tests (test/stochastic): their runs are random, and an
// event-by-event run over the long durations used here would take minutes
const SIMS = ALL_SIMS.filter((f) => !readFileSync(f, "utf8").includes("stochastic: true"));

/** Moles: every method preserves these linear invariants up to round-off (a few ulps per step). */
const MOLES_RELATIVE = 1e-12;
/** Charge identity, relative to the membrane's charge change C_m·A·|ΔV|. */
const CHARGE_RELATIVE = 1e-8;

// explicit methods take the fast scale, so they run a shortened version of each scenario
const METHOD_SETTINGS: Record<string, string[]> = {
  bdf: [],
  // 20 s at the scenarios' own record-every would be a million rows for iv-protocol (0.02 ms):
  // rows cost time, not accuracy, and the invariants are read off the end state
  rk45: ["run.duration=20 s", "run.record-every=10 ms"],
  rk4: ["run.duration=0.05 s", "run.dt=5 us", "run.record-every=1 ms"],
  euler: ["run.duration=0.05 s", "run.dt=1 us", "run.record-every=1 ms"],
};

describe("the invariants of physics.md hold on every sims/ scenario with every method", () => {
  for (const file of SIMS) {
    for (const [method, sets] of Object.entries(METHOD_SETTINGS)) {
      it(`${file} with ${method}`, () => {
        const { result, model } = runScenario(file, [`run.method=${method}`, ...sets]);
        const inv = result.invariants;
        if (Number.isFinite(model.volumeOut)) {
          for (const drift of Object.values(inv.molesRelative!)) expect(drift).toBeLessThan(MOLES_RELATIVE);
        } else {
          expect(inv.molesRelative).toBeNull();
        }
        // under a voltage clamp the electrode supplies charge the identity cannot count: not applicable
        if (model.clamp) expect(inv.chargeRelative).toBeNaN();
        else expect(inv.chargeRelative).toBeLessThan(CHARGE_RELATIVE);
        expect(result.minConcentration).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(result.yEnd[0]!)).toBe(true);
      });
    }
  }
});

// The homeostasis sims have clamped baths, where the moles ledger does not apply (the bath is a
// reservoir): the same cells with a finite 10 pL bath instead, on every method and the steady solve.
const HOMEOSTASIS = ["chloride-kcc2-mature", "chloride-nkcc1-immature", "ca-activated-k", "osmotic-shock", "pump-leak-swell", "pump-leak-restart"].map((n) => `sims/${n}.yaml`);
describe("the homeostasis sims with a finite bath: moles and charge on every method", () => {
  for (const file of HOMEOSTASIS) {
    for (const [method, sets] of [...Object.entries(METHOD_SETTINGS), ["steady", []] as [string, string[]]]) {
      it(`${file} with ${method}`, () => {
        const { result, model } = runScenario(file, ["bath.clamped=null", "bath.volume=10 pL", `run.method=${method}`, ...sets]);
        expect(Number.isFinite(model.volumeOut)).toBe(true);
        expect(result.failure).toBeUndefined();
        const drifts = Object.values(result.invariants.molesRelative!);
        expect(drifts.length).toBe(model.ionCount);
        for (const drift of drifts) expect(drift).toBeLessThan(MOLES_RELATIVE);
        expect(result.invariants.chargeRelative).toBeLessThan(CHARGE_RELATIVE);
      });
    }
  }
});

describe("rk45 and the stiff method agree", () => {
  for (const file of SIMS) {
    it(`${file}: V and every concentration after 20 s (rtol 1e-9)`, () => {
      const common = ["run.stop=null", "run.duration=20 s", "run.rtol=1e-9", "run.atol=1e-12", "run.record-every=1 s"];
      const a = runScenario(file, ["run.method=rk45", ...common]);
      const b = runScenario(file, ["run.method=bdf", ...common]);
      expect(a.result.tEnd).toBe(b.result.tEnd);
      expect(Math.abs(a.V_mV - b.V_mV)).toBeLessThan(1e-5);
      for (let i = 1; i < a.result.yEnd.length; i++) {
        expect(Math.abs(a.result.yEnd[i]! - b.result.yEnd[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(a.result.yEnd[i]!)));
      }
    });
  }
});

describe("the analytic Jacobian", () => {
  for (const file of [...ALL_SIMS, "sims/bench/w1-run-down.yaml"]) {
    it(`matches finite differences on ${file}, at the start and at a perturbed state`, () => {
      const model = new MembraneModel(loadScenarioFile(file).scenario);
      const n = model.size;
      for (const shift of [0, 1]) {
        const y = Float64Array.from(model.y0, (v, i) => (i === 0 ? v + shift * 0.013 : v * (1 + 0.1 * shift * Math.sin(i))));
        const f0 = new Float64Array(n);
        model.rhs(0, y, f0);
        const analytic = new Float64Array(n * n);
        model.jacobian(0, y, analytic);
        // central differences, accurate to ~1e-9 relative here
        const { numeric } = centralDifferences(model, y);
        const scale = Math.max(...numeric.map(Math.abs));
        for (let k = 0; k < n * n; k++) expect(Math.abs(analytic[k]! - numeric[k]!)).toBeLessThan(1e-6 * scale + 1e-7 * Math.abs(numeric[k]!));
        // and the forward-difference fallback used without an analytic Jacobian is consistent too
        const forward = new Float64Array(n * n);
        finiteDifferenceJacobian(model.rhs, 0, Float64Array.from(y), f0, forward, new Float64Array(n));
        for (let k = 0; k < n * n; k++) expect(Math.abs(forward[k]! - analytic[k]!)).toBeLessThan(1e-5 * scale);
      }
    });
  }
});

describe("the compiled right-hand side", () => {
  for (const file of [...ALL_SIMS, "sims/bench/w1-run-down.yaml"]) {
    it(`equals the generic one on ${file} at 200 random states`, () => {
      const model = new MembraneModel(loadScenarioFile(file).scenario);
      const n = model.size;
      const a = new Float64Array(n);
      const b = new Float64Array(n);
      let seed = 12345;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let trial = 0; trial < 200; trial++) {
        const y = Float64Array.from(model.y0, (v, i) => (i === 0 ? -0.12 + 0.2 * random() : v * (0.5 + random())));
        model.rhs(0, y, a);
        model.compiledRhs(0, y, b);
        for (let i = 0; i < n; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(Math.abs(a[i]!), 1e-300));
      }
    });
  }
});

import { describe, expect, it } from "vitest";
import { IntegrationError } from "../../src/errors.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";
import { integrate } from "../../src/solvers/integrate.js";
import { METHODS } from "../../src/solvers/registry.js";
import type { ObserverNeeds, Stepper } from "../../src/solvers/types.js";

/**
 * The fused fixed-step loop must take the very same steps as the generic driver (same grid, same
 * breakpoints, same compensated sums) while calling the observer only where it is needed. The
 * physics of these methods is tested elsewhere (measured orders, W3's reference); here: the fused
 * loop's states, samples, smallest concentration and watched crossings are the generic loop's to
 * the bit, and it calls the observer rarely.
 */
const FIXED = METHODS.filter((m) => m.fixedStepKernel !== undefined);

const CASES: { file: string; duration: number; dt: number; every: number; crosses?: boolean }[] = [
  { file: "sims/k-nernst.yaml", duration: 0.02, dt: 2e-6, every: 1e-3, crosses: true }, // one ion, V crossing the watched threshold
  { file: "sims/hh-squid-train.yaml", duration: 0.032, dt: 1e-6, every: 0.7e-3, crosses: true }, // stimulus breakpoints, gates, spikes
  { file: "sims/iv-protocol.yaml", duration: 0.02, dt: 1e-6, every: 0.3e-3 }, // clamp steps
  { file: "sims/osmotic-shock.yaml", duration: 0.5, dt: 1e-5, every: 0.013 }, // water: volume as state
];

function setUp(file: string, duration: number) {
  const { scenario } = loadScenarioFile(file, [parseOverride("run.stop=null")]);
  const model = new MembraneModel(scenario);
  return { model, problem: model.problem(duration) };
}

/** Samples at k·every by the stepper's dense output; records what a run's observer records. */
function observer(every: number, watch: { component: number; scale: number; threshold: number }, concentrations: Int32Array, everyStep: boolean) {
  const samples: number[][] = [];
  const crossings: number[] = [];
  let k = 1;
  let below: boolean | null = null;
  let minimum = Infinity;
  let calls = 0;
  const out = new Float64Array(64);
  const observe = (tPrev: number, t: number, y: Float64Array, stepper: Stepper) => {
    calls++;
    while (k * every <= t * (1 + 1e-12)) {
      const buffer = out.subarray(0, y.length);
      stepper.interpolate((k * every - tPrev) / (t - tPrev), buffer);
      samples.push([k * every, ...buffer]);
      k++;
    }
    const now = Math.abs(watch.scale * stepper.endDerivative[watch.component]!) < watch.threshold;
    if (below !== null && now !== below) crossings.push(t);
    below = now;
    if (everyStep) for (const i of concentrations) minimum = Math.min(minimum, y[i]!);
    return false;
  };
  return { observe, samples, crossings, calls: () => calls, minimum: () => minimum, next: () => k * every };
}

describe("the fused fixed-step loop takes the generic driver's steps", () => {
  for (const method of FIXED) {
    for (const c of CASES) {
      it(`${method.name} on ${c.file}: states, samples, minimum and crossings identical to the bit, observer called rarely`, () => {
        const control = { rtol: 1e-6, atol: 1e-9, dt: c.dt, hMin: 1e-15, hMax: c.duration, maxSteps: 1e8 };
        const generic = setUp(c.file, c.duration);
        const V = generic.model.layout.V;
        // a threshold the run crosses: a tenth of the initial |C dV/dt| (at least 1e-4 uA/cm^2)
        const f0 = new Float64Array(generic.model.size);
        generic.model.setSegment(0);
        generic.problem.rhs(0, generic.model.y0, f0);
        const watch = { component: V, scale: generic.model.capacitance, threshold: Math.max(1e-6, 0.1 * Math.abs(generic.model.capacitance * f0[V]!)) };
        const a = observer(c.every, watch, generic.model.layout.concentrations, true);
        const ra = integrate(generic.problem, method, control, a.observe);

        const fused = setUp(c.file, c.duration);
        const b = observer(c.every, watch, fused.model.layout.concentrations, false);
        const needs: ObserverNeeds = { everyStep: false, nextTime: b.next, watch, trackMinimum: fused.model.layout.concentrations };
        const rb = integrate(fused.problem, method, control, b.observe, needs);

        expect(rb.t).toBe(ra.t);
        expect(Array.from(rb.y)).toEqual(Array.from(ra.y));
        expect(rb.stats.steps).toBe(ra.stats.steps);
        expect(rb.stats.rhsEvaluations).toBe(ra.stats.rhsEvaluations);
        expect(b.samples.length).toBeGreaterThan(10);
        expect(b.samples).toEqual(a.samples);
        expect(rb.minimum).toBe(a.minimum());
        expect(b.crossings).toEqual(a.crossings);
        if (c.crosses) expect(a.crossings.length).toBeGreaterThan(0);
        // the generic loop saw every step; the fused one about one call per sample and crossing
        expect(a.calls()).toBe(ra.stats.steps);
        expect(b.calls()).toBeLessThanOrEqual(b.samples.length + b.crossings.length + 2);
      });
    }
  }

  it("without needs, or with everyStep, the observer sees every step", () => {
    const { model, problem } = setUp("sims/k-nernst.yaml", 0.002);
    const control = { rtol: 1e-6, atol: 1e-9, dt: 1e-5, hMin: 1e-15, hMax: 1, maxSteps: 1e8 };
    let calls = 0;
    const r = integrate(problem, METHODS.find((m) => m.name === "rk4")!, control, () => (calls++, false), { everyStep: true, nextTime: () => Infinity });
    expect(calls).toBe(r.stats.steps);
    expect(r.stats.steps).toBe(200);
    expect(model.size).toBeGreaterThan(0);
  });

  it("a step that leaves the admissible states fails the same way, ending at the same last good state", () => {
    const sets = ["run.stop=null"];
    const failures: IntegrationError[] = [];
    for (const needs of [undefined, { everyStep: false, nextTime: () => Infinity } satisfies ObserverNeeds]) {
      const { scenario } = loadScenarioFile("sims/k-nernst.yaml", sets.map(parseOverride));
      const model = new MembraneModel(scenario);
      const control = { rtol: 1e-6, atol: 1e-9, dt: 0.05, hMin: 1e-15, hMax: 1, maxSteps: 1e8 };
      try {
        integrate(model.problem(1), METHODS.find((m) => m.name === "euler")!, control, () => false, needs);
      } catch (e) {
        failures.push(e as IntegrationError);
      }
    }
    expect(failures).toHaveLength(2);
    expect(failures[1]!.message).toBe(failures[0]!.message);
    expect(failures[1]!.message).toMatch(/too large for this fixed-step method/);
    expect(failures[1]!.lastGood!.t).toBe(failures[0]!.lastGood!.t);
    expect(Array.from(failures[1]!.lastGood!.y)).toEqual(Array.from(failures[0]!.lastGood!.y));
  });
});

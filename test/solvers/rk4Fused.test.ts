import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { IntegrationError } from "../../src/errors.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";
import { rk4 } from "../../src/solvers/explicit/rk4.js";
import { integrate } from "../../src/solvers/integrate.js";
import { inlinePlan, rhsCodeOf } from "../../src/solvers/rhsCode.js";
import type { FixedStepKernel, Method, ObserverNeeds, OdeProblem, StepControl, Stepper } from "../../src/solvers/types.js";

/**
 * RK4's generated fused loop (solvers/explicit/rk4Fused.ts: the four stages with the model's
 * right-hand side inlined, state in locals) must take the reference driver's steps to the bit:
 * integrate() without `needs` (the generic loop, Rk4Stepper, an observer call per step) is the
 * reference; the fused loop with the kernel's plain step() (no generated code) is checked too.
 */

/** Several ions (one impermeant), gated Na and K channels, a leak, the Na/K pump, water, a finite bath, a stimulus train (segments). */
const CELL = `
name: fused-rk4-cell
temperature: 6.3 degC
cell: { shape: sphere, radius: 5 um, capacitance: 1 uF/cm^2, water-permeability: 1.5e-3 cm/s }
bath: { volume: 0.2 pL }
ions:
  Na: { charge: 1,  inside: 55 mM, outside: 440 mM }
  K:  { charge: 1,  inside: 400 mM, outside: 16 mM }
  Cl: { charge: -1, inside: 58 mM, outside: 560 mM }
  A:  { charge: -1, inside: 396 mM, outside: 0 mM }
  Mg: { charge: 2,  inside: 0 mM, outside: 52 mM }
channels:
  - name: na-fast
    ion: Na
    conductance: 120 mS/cm^2
    gates:
      m: { power: 3, alpha: "0.1*(V+40)/(1-exp(-(V+40)/10))", beta: "4*exp(-(V+65)/18)" }
      h: { power: 1, alpha: "0.07*exp(-(V+65)/20)", beta: "1/(1+exp(-(V+35)/10))" }
  - name: k-delayed
    ion: K
    conductance: 36 mS/cm^2
    gates:
      n: { power: 4, alpha: "0.01*(V+55)/(1-exp(-(V+55)/10))", beta: "0.125*exp(-(V+65)/80)" }
  - { name: leak, ion: Cl, conductance: 0.3 mS/cm^2 }
pumps:
  - { name: pump, type: na-k-atpase, max-current: 1 uA/cm^2, k-na: 10 mM, k-k: 1.5 mM }
stimulus:
  - { name: train, start: 2 ms, duration: 1 ms, amplitude: 40 uA/cm^2, period: 7 ms, count: 4 }
initial:
  voltage: -65 mV
run:
  method: rk4
  dt: 1 us
  duration: 30 ms
`;

/** RK4 in the fused loop without its generated code: the kernel's own step() per step. */
const rk4Plain: Method = {
  ...rk4,
  fixedStepKernel: (problem: OdeProblem): FixedStepKernel => {
    const kernel = rk4.fixedStepKernel!(problem);
    return { step: (t, y, h, f0, dy, stats) => kernel.step(t, y, h, f0, dy, stats) };
  },
};

/** RK4 as registered, counting the steps its generated loop takes. */
let generatedSteps = 0;
const rk4Counted: Method = {
  ...rk4,
  fixedStepKernel: (problem: OdeProblem): FixedStepKernel => {
    const kernel = rk4.fixedStepKernel!(problem);
    return {
      step: (t, y, h, f0, dy, stats) => kernel.step(t, y, h, f0, dy, stats),
      evaluationsPerStep: kernel.evaluationsPerStep,
      fusedAdvance: (setup) => {
        const advance = kernel.fusedAdvance!(setup);
        return (
          advance &&
          ((r) => {
            const taken = advance(r);
            generatedSteps += taken;
            return taken;
          })
        );
      },
    };
  },
};

/**
 * A run of `method` on a fresh model: every `every` s sampled through the dense output (choose
 * `every` off the dt grid, so that a sample falls inside a step and reads the step's start too), crossings of
 * |C dV/dt| < threshold, the final state.
 */
function run(model: MembraneModel, duration: number, method: Method, control: StepControl, every: number, fused: boolean) {
  const problem = model.problem(duration);
  const V = model.layout.V;
  const watch = { component: V, scale: model.capacitance, threshold: 2e-2 };
  const samples: number[][] = [];
  const crossings: number[] = [];
  let k = 1;
  let below: boolean | null = null;
  // the fused loop's minimum counts the initial state too
  let minimum = Math.min(...Array.from(model.layout.concentrations, (i) => model.y0[i]!));
  const buffer = new Float64Array(model.size);
  const observe = (tPrev: number, t: number, y: Float64Array, stepper: Stepper) => {
    while (k * every <= t * (1 + 1e-12)) {
      stepper.interpolate((k * every - tPrev) / (t - tPrev), buffer);
      samples.push([k * every, tPrev, t, ...buffer]);
      k++;
    }
    const now = Math.abs(watch.scale * stepper.endDerivative[watch.component]!) < watch.threshold;
    if (below !== null && now !== below) crossings.push(t);
    below = now;
    if (!fused) for (const i of model.layout.concentrations) minimum = Math.min(minimum, y[i]!);
    return false;
  };
  const needs: ObserverNeeds | undefined = fused ? { everyStep: false, nextTime: () => k * every, watch, trackMinimum: model.layout.concentrations } : undefined;
  const r = integrate(problem, method, control, observe, needs);
  return { t: r.t, y: Array.from(r.y), steps: r.stats.steps, rhs: r.stats.rhsEvaluations, samples, crossings, minimum: fused ? r.minimum : minimum };
}

const control = (dt: number, maxSteps = 1e8): StepControl => ({ rtol: 1e-6, atol: 1e-9, dt, hMin: 1e-15, hMax: 1, maxSteps });

describe("RK4's generated fused loop", () => {
  const scenario = parseScenario(CELL, "fused-rk4-cell.yaml");

  it("is the path taken for a generated right-hand side with gates, water and a finite bath", () => {
    const model = new MembraneModel(scenario);
    const problem = model.problem(0.03);
    const code = rhsCodeOf(problem.rhs);
    expect(code).toBeDefined();
    expect(code!.args[1]).toBe("ys"); // water: the state is amounts, the body makes concentrations
    expect(inlinePlan(code!, model.size)).toBeDefined();
    expect(model.layout.slots.map((s) => s.name)).toEqual(expect.arrayContaining(["vol_in"]));
    const advance = rk4.fixedStepKernel!(problem).fusedAdvance!({ trackMinimum: model.layout.concentrations, watched: model.layout.V, isAdmissible: problem.isAdmissible });
    expect(typeof advance).toBe("function");
  });

  it("takes the reference driver's steps to the bit: states, dense-output samples, crossings, minimum", () => {
    const c = control(0.5e-6);
    const reference = run(new MembraneModel(scenario), 0.03, rk4, c, 0.3737e-3, false);
    generatedSteps = 0;
    const generated = run(new MembraneModel(scenario), 0.03, rk4Counted, c, 0.3737e-3, true);
    const plain = run(new MembraneModel(scenario), 0.03, rk4Plain, c, 0.3737e-3, true);
    expect(reference.steps).toBe(60000);
    expect(generatedSteps).toBe(60000); // every step, across the stimulus's segments
    expect(reference.samples.length).toBeGreaterThan(50);
    expect(reference.crossings.length).toBeGreaterThan(4); // the spikes
    // the run moved: V spiked, water moved the volume
    expect(Math.max(...reference.samples.map((s) => s[3]!))).toBeGreaterThan(0);
    for (const other of [generated, plain]) {
      expect(other.t).toBe(reference.t);
      expect(other.y).toEqual(reference.y);
      expect(other.steps).toBe(reference.steps);
      expect(other.rhs).toBe(reference.rhs);
      expect(other.samples).toEqual(reference.samples);
      expect(other.crossings).toEqual(reference.crossings);
      expect(other.minimum).toBe(reference.minimum);
    }
  });

  it("W3's own equations (finite bath, pump, no water): 100,000 steps to the bit", () => {
    const { scenario: w3 } = loadScenarioFile("sims/bench/w3-fixed-step.yaml", [parseOverride("run.stop=null")]);
    const c = control(1e-5);
    const reference = run(new MembraneModel(w3), 1, rk4, c, 0.0103737, false);
    generatedSteps = 0;
    const generated = run(new MembraneModel(w3), 1, rk4Counted, c, 0.0103737, true);
    expect(generatedSteps).toBe(100000);
    const plain = run(new MembraneModel(w3), 1, rk4Plain, c, 0.0103737, true);
    expect(reference.steps).toBe(100000);
    for (const other of [generated, plain]) {
      expect(other.y).toEqual(reference.y);
      expect(other.samples).toEqual(reference.samples);
      expect(other.minimum).toBe(reference.minimum);
    }
  });

  it("a step limit and a failing step end where the reference driver's do, with the same message", () => {
    // W3's cell, and late in the run a current so large that a step fails (V becomes NaN)
    const text = readFileSync("sims/bench/w3-fixed-step.yaml", "utf8");
    const kicked = parseScenario(`${text}\nstimulus:\n  - { name: kick, start: 0.7 s, duration: 0.1 s, amplitude: 1e7 uA/cm^2 }\n`, "kicked.yaml", [parseOverride("run.stop=null")]);
    const outcomes = (duration: number, c: StepControl, file: string) =>
      [undefined, { everyStep: false, nextTime: () => Infinity } satisfies ObserverNeeds].map((needs) => {
        const s = file === "kicked" ? kicked : loadScenarioFile(file, [parseOverride("run.stop=null")]).scenario;
        try {
          integrate(new MembraneModel(s).problem(duration), rk4, c, () => false, needs);
        } catch (e) {
          return e as IntegrationError;
        }
        throw new Error("the run should have failed");
      });
        for (const [a, b] of [outcomes(1, control(1e-5, 51234), "sims/bench/w3-fixed-step.yaml"), outcomes(1, control(1e-5), "kicked"), outcomes(1, control(0.5), "sims/k-nernst.yaml")]) {
      expect(b!.message).toBe(a!.message);
      expect(a!.message).toMatch(/more than|too large for this fixed-step method/);
      expect(b!.lastGood!.t).toBe(a!.lastGood!.t);
      expect(Array.from(b!.lastGood!.y)).toEqual(Array.from(a!.lastGood!.y));
    }
  });
});

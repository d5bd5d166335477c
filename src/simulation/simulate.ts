import { monotonicMs } from "../clock.js";
import { IntegrationError } from "../errors.js";
import { invariantDrifts } from "../model/invariants.js";
import { langevinNoise } from "../model/langevin.js";
import type { MembraneModel } from "../model/membraneModel.js";
import type { RunSettings } from "../scenario/types.js";
import { integrate, type IntegrationResult } from "../solvers/integrate.js";
import { findMethod } from "../solvers/registry.js";
import { eulerMaruyama } from "../solvers/stochastic/eulerMaruyama.js";
import type { ObserverNeeds, StepControl, Stepper } from "../solvers/types.js";
import { integrateWithEvents } from "./events.js";
import { DenseState, Sampler } from "./sampling.js";
import { solveSteadyState } from "./steady.js";
import { checkFixedStep } from "./stepBound.js";
import { NetCurrentRule, WindowRule } from "./stopRule.js";
import type { RunReport, RunResult, TrajectorySink } from "./types.js";

export { DEFAULT_CONVERGENCE_CURRENT } from "./stopRule.js";
export type { Fluctuations, RunReport, RunResult, TrajectorySink } from "./types.js";

/** `run.method: steady`: the steady state directly (steady.ts), not a time course. */
export const STEADY_METHOD = "steady";

/** The plain end-of-run numbers (SI) of the state y at time t. */
function endOf(model: MembraneModel, t: number, y: Float64Array): Pick<RunReport, "voltageEnd" | "netCurrentEnd" | "reversalPotentialEnd" | "ions" | "volumeInEnd" | "water"> & { yEnd: Float64Array } {
  const L = model.layout;
  // under a clamp the state's V entry is not the membrane voltage: the command is
  const yEnd = Float64Array.from(y);
  if (Number.isFinite(t)) yEnd[L.V] = model.voltageOf(t, y);
  return {
    yEnd,
    voltageEnd: yEnd[L.V]!,
    netCurrentEnd: model.netCurrent(yEnd, new Float64Array(model.ionCount), Number.isFinite(t) ? t : 0),
    reversalPotentialEnd: model.reversalPotential(yEnd, Number.isFinite(t) ? t : 0),
    ions: model.ionNames.map((name, k) => ({ name, inside: model.concentrationIn(k, yEnd), outside: model.concentrationOut(k, yEnd), nernst: model.nernst(k, yEnd) })),
    volumeInEnd: model.volumeInOf(yEnd),
    ...(model.water ? { water: waterEnd(model, yEnd) } : {}),
  };
}

/** The bath's volume, the osmolarities and the relative volume rate (d vol_in/dt)/vol_in of state y. */
function waterEnd(model: MembraneModel, y: Float64Array): NonNullable<RunReport["water"]> {
  const w = model.water!;
  const osmolarity = model.osmolarities(y);
  return { volumeOut: model.volumeOutOf(y), osmolarity, volumeRate: (w.coefficient * (osmolarity.inside - osmolarity.outside)) / y[w.slot]! };
}

function simulateSteady(model: MembraneModel, sink: TrajectorySink, started: number): RunResult {
  sink.begin(model);
  model.setSegment(0);
  sink.sample(0, model.y0);
  let minConcentration = model.layout.minConcentration(model.y0);
  const { y, ...steady } = solveSteadyState(model);
  minConcentration = Math.min(minConcentration, model.layout.minConcentration(y));
  model.setSegment(Infinity);
  sink.sample(Infinity, y); // t = infinity: an empty cell
  sink.finish();
  const iterations = steady.newtonIterations + steady.continuationSteps;
  return {
    tEnd: Infinity,
    ...endOf(model, Infinity, y),
    stopReason: steady.converged ? "steady-state" : "failed",
    tConverged: null,
    converged: steady.converged,
    minConcentration,
    invariants: invariantDrifts(model, model.y0, y, Infinity),
    stats: { steps: iterations, rejectedSteps: 0, rhsEvaluations: steady.rhsEvaluations, jacobianEvaluations: iterations, luDecompositions: iterations },
    method: STEADY_METHOD,
    wallTime_ms: monotonicMs() - started,
    steady,
    ...(steady.converged ? {} : { failure: steady.message }),
  };
}

/**
 * Runs a model under its run settings: integrates with the run's method (Euler–Maruyama when
 * channels have Langevin noise; the event loop of events.ts when some are simulated exactly),
 * samples the trajectory into the sink at every `record-every` (sampling.ts), applies the stop
 * rule (stopRule.ts) and checks the invariants at the end. Orchestration only.
 */
export function simulate(model: MembraneModel, run: RunSettings, sink: TrajectorySink): RunResult {
  const started = monotonicMs();
  if (run.method === STEADY_METHOD) return simulateSteady(model, sink, started);
  const found = findMethod(run.method);
  if (!found) throw new Error(`unknown method ${run.method}`);
  checkFixedStep(model, run);
  const langevin = model.scenario.channels.some((c) => c.stochastic?.noise === "langevin");
  const method = langevin ? eulerMaruyama : found;
  const stochastic = model.markov.count > 0 || model.scenario.channels.some((c) => c.stochastic);

  sink.begin(model);
  const y0 = model.y0;
  model.setSegment(0);
  sink.sample(0, y0);
  const dense = new DenseState(model);
  const rule = new NetCurrentRule(model, run, dense);
  const windowRule = new WindowRule(model, run);
  const sampler = new Sampler(sink, run, dense, model.size, stochastic ? (t, y) => windowRule.note(t, y) : () => {});
  let minConcentration = model.layout.minConcentration(y0);
  let stoppedByRule = false;
  let stepsBeforeFailure = 0;

  /** After each accepted step (or at an event inside it): samples, then the stop rule. */
  const observe = (tPrev: number, t: number, y: Float64Array, stepper: Stepper, tStepEnd = t): boolean => {
    stepsBeforeFailure = stepper.stats.steps;
    sampler.step(tPrev, t, y, stepper, tStepEnd);
    if (stochastic) {
      if (windowRule.met) stoppedByRule = true;
      return windowRule.met;
    }
    const least = model.layout.minConcentration(y);
    if (least < minConcentration) minConcentration = least;
    if (rule.step(tPrev, t, stepper, y)) {
      stoppedByRule = true;
      return true;
    }
    return false;
  };

  const control: StepControl = { rtol: run.rtol, atol: run.atol, dt: run.dt, hMin: 1e-15 * Math.max(1, run.duration), hMax: run.duration, maxSteps: run.maxSteps, names: { maxSteps: "run.max-steps", stiffMethod: "bdf" } };
  let result: IntegrationResult;
  let failure: string | undefined;
  try {
    const noise = langevin ? langevinNoise(model, run.seed) : undefined;
    if (model.markov.count > 0) result = integrateWithEvents(model, method, control, run, observe, noise);
    else {
      const problem = model.problem(run.duration);
      // what the observer must see: fixed-step methods skip it on the steps in between
      const ruleNeeds = rule.needs();
      // written out, not spread from ruleNeeds: built by spread, this object kept about 230 bytes
      // of each run alive until the next full collection (5.5 kB promoted per MB allocated on W1
      // runs, by --trace-gc-nvp; 0.001 kB written out), the old-generation growth of long sweeps
      const needs: ObserverNeeds = { everyStep: stochastic || ruleNeeds.everyStep, watch: ruleNeeds.watch, nextTime: () => sampler.nextTime(), trackMinimum: model.layout.concentrations };
      result = integrate(noise ? { ...problem, noise } : problem, method, control, observe, needs);
      if (result.minimum !== undefined && result.minimum < minConcentration) minConcentration = result.minimum;
    }
  } catch (e) {
    if (!(e instanceof IntegrationError)) {
      sink.abort();
      throw e;
    }
    // a numerical failure is a result too: the run up to its last good state, and why it stopped
    failure = e.message;
    result = { t: e.lastGood?.t ?? 0, y: e.lastGood?.y ?? Float64Array.from(y0), stoppedByObserver: false, stats: { steps: stepsBeforeFailure, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 } };
  }
  sampler.last(result.t, result.y);
  sink.finish();
  const converged = model.clamp || failure ? false : stochastic ? stoppedByRule : rule.belowSince !== null;
  return {
    tEnd: result.t,
    ...endOf(model, result.t, result.y),
    stopReason: failure ? "failed" : stoppedByRule ? "net-current-below" : "duration",
    // under a clamp V does not relax: there is nothing to converge
    // stochastic runs converge in the mean: when the window's average met the threshold
    tConverged: model.clamp || failure ? null : stochastic ? (stoppedByRule ? result.t : null) : rule.belowSince,
    converged,
    ...(failure ? { failure } : {}),
    minConcentration,
    invariants: invariantDrifts(model, y0, result.y, result.t),
    stats: { ...result.stats },
    method: method.name,
    wallTime_ms: monotonicMs() - started,
    ...(stochastic ? { fluctuations: windowRule.statistics(result.t) } : {}),
  };
}

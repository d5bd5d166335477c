import seedrandom from "seedrandom";
import type { MembraneModel } from "../model/membraneModel.js";
import { findRootBracketed } from "../numerics/roots.js";
import type { RunSettings } from "../scenario/types.js";
import { integrate, type IntegrationResult } from "../solvers/integrate.js";
import type { Method, OdeProblem, StepControl, Stepper } from "../solvers/types.js";

/** Called after every accepted step (or at an event inside it, tStepEnd being the step's end); true stops. */
export type EventObserver = (tPrev: number, t: number, y: Float64Array, stepper: Stepper, tStepEnd?: number) => boolean;

/**
 * Exact stochastic channels (Gillespie's direct method with time-dependent propensities): the
 * state carries Λ = ∫ a0 dt; an event happens when Λ reaches −ln(u). The driver is stopped on the
 * step that crosses it, the crossing time is found on the dense output, the transition chosen by
 * the propensities there is fired, and integration restarts from that time and state. Every
 * random number comes from seedrandom seeded with run.seed.
 */
export function integrateWithEvents(model: MembraneModel, method: Method, control: StepControl, run: RunSettings, observe: EventObserver, noise?: OdeProblem["noise"]): IntegrationResult {
  const random = seedrandom(`ionflux:events:${run.seed}`);
  const P = model.layout.propensity;
  const y = Float64Array.from(model.y0);
  const interpolated = new Float64Array(model.size);
  let t0 = 0;
  let threshold = -Math.log(1 - random());
  const totals = { steps: 0, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 };
  for (;;) {
    let event = false;
    let stoppedByRule = false;
    const problem = model.problem(run.duration, t0, y);
    const result = integrate(noise ? { ...problem, noise } : problem, method, control, (tPrev, t, yStep, stepper) => {
      if (yStep[P]! < threshold) return observe(tPrev, t, yStep, stepper);
      const theta = findRootBracketed(
        (th) => {
          stepper.interpolate(th, interpolated);
          return interpolated[P]! - threshold;
        },
        0,
        1,
        1e-12,
      );
      stepper.interpolate(Number.isFinite(theta) ? theta : 1, interpolated);
      const tEvent = tPrev + (Number.isFinite(theta) ? theta : 1) * (t - tPrev);
      stoppedByRule = observe(tPrev, tEvent, interpolated, stepper, t);
      event = true;
      t0 = tEvent;
      y.set(interpolated);
      return true;
    });
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += result.stats[k];
    if (!event || stoppedByRule) return { ...result, stats: totals };
    model.setSegment(t0);
    model.markov.fire(model.voltageOf(t0, y), t0, random());
    y[P] = 0;
    threshold = -Math.log(1 - random());
    if (t0 >= run.duration) return { t: t0, y, stoppedByObserver: false, stats: totals };
  }
}

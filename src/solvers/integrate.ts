import { IntegrationError } from "../errors.js";
import { diagnoseFailure } from "./diagnosis.js";
import { integrateFixedStep } from "./fixedStepLoop.js";
import { StepSizeController } from "./stepControl.js";
import { controlNames, type IntegrationStats, type Method, type ObserverNeeds, type OdeProblem, type StepControl, type Stepper, type Vector } from "./types.js";

/**
 * The failed steps taken again on a watched problem, for the diagnosis. Made here, not as a closure
 * in integrate(): a closure there would capture its loop variables, and V8 then keeps them in a
 * heap context, boxing t and h anew at every step (about 150 bytes of garbage a step).
 */
function retrying(method: Method, control: StepControl, t: number, y: Vector, sizes: readonly number[], increment: Vector): (watched: OdeProblem) => void {
  return (watched) => {
    const probe = method.createStepper(watched, control);
    for (const size of sizes) probe.attempt(t, y, size, increment);
  };
}

/** Called after every accepted step; return true to stop the integration there. */
export type StepObserver = (tPrevious: number, t: number, y: Vector, stepper: Stepper) => boolean;

export interface IntegrationResult {
  t: number;
  y: Vector;
  stoppedByObserver: boolean;
  stats: IntegrationStats;
  /** The smallest value of needs.trackMinimum's components over the accepted steps (fused loop only). */
  minimum?: number;
}

/**
 * THE driver loop (design.md, principle 3): splits [t0, t1] at the problem's breakpoints, lands
 * exactly on each, takes steps with the method's stepper, accepts or rejects them (adaptive
 * methods), updates the step size, counts, and hands every accepted step to the observer.
 * Given `needs` (what the observer must see), a fixed-step explicit method of a deterministic
 * problem runs in the fused loop of fixedStepLoop.ts instead: the same steps, fewer calls.
 */
export function integrate(
  problem: OdeProblem,
  method: Method,
  control: StepControl,
  observe: StepObserver,
  needs?: ObserverNeeds,
): IntegrationResult {
  if (needs && !needs.everyStep && !method.adaptive && method.fixedStepKernel && !problem.noise) {
    return integrateFixedStep(problem, method.fixedStepKernel(problem), control, observe, needs, (p) => method.fixedStepKernel!(p));
  }
  const stepper = method.createStepper(problem, control);
  const y = Float64Array.from(problem.y0);
  const yNext = new Float64Array(problem.size);
  const increment = new Float64Array(problem.size);
  // Kahan compensation: the low-order bits of the increments that rounding dropped from y
  const lost = new Float64Array(problem.size);
  const edges = [...problem.breakpoints.filter((b) => b > problem.t0 && b < problem.t1), problem.t1]
    .sort((a, b) => a - b)
    .filter((b, i, all) => i === 0 || b !== all[i - 1]);
  const steps = new StepSizeController(method, control);
  let t = problem.t0;
  const stats = stepper.stats;
  const isAdmissible = problem.isAdmissible;
  let rejecting = false;
  let hRejected = 0;

  try {
    for (const segmentEnd of edges) {
      problem.beginSegment?.(t, segmentEnd);
      stepper.reset();
      const segmentStart = t;
      let fixedIndex = 0;
      steps.beginSegment();
      while (t < segmentEnd) {
        let tNext: number;
        if (method.adaptive) {
          tNext = steps.propose(t, segmentEnd);
        } else {
          // multiply, never accumulate, so that t stays on the dt grid without drift
          tNext = segmentStart + (fixedIndex + 1) * control.dt;
          if (tNext >= segmentEnd - 1e-9 * control.dt) tNext = segmentEnd;
        }
        const hTry = tNext - t;
        if (!(hTry > 0)) throw new IntegrationError(t, `step size underflow (h = ${hTry} s); try a stiff method (${controlNames(control).stiffMethod}) or a larger rtol`);
        const err = stepper.attempt(t, y, hTry, increment);
        let finite = true;
        for (let i = 0; i < y.length; i++) {
          const v = y[i]! + increment[i]!;
          yNext[i] = v;
          if (v - v !== 0) finite = false; // NaN or ±Infinity
        }
        const admissible = finite && (isAdmissible === undefined || isAdmissible(yNext));

        if (method.adaptive) {
          const errorNorm = err ?? 0;
          if (!admissible || !(errorNorm <= 1)) {
            // the first (largest) step refused since the last accepted one, for the diagnosis below
            if (!rejecting) hRejected = hTry;
            rejecting = true;
            stats.rejectedSteps++;
            steps.reject(hTry, errorNorm, admissible);
            const h = steps.h;
            if (h < control.hMin) {
              // a term of f with no meaning there (a formula beyond its range) is the reason, not the tolerance
              const named = diagnoseFailure(problem, t, y, retrying(method, control, t, y, [hTry, hRejected], increment));
              if (named) throw new IntegrationError(t, named);
              const what = admissible ? `the error estimate stays above the tolerance (${errorNorm.toExponential(2)})` : (problem.explain?.(yNext) ?? "the state became non-finite or inadmissible");
              throw new IntegrationError(
                t,
                `step size underflow (h = ${h.toExponential(3)} s < ${control.hMin} s): ${what}; the model may have no valid continuation here (e.g. an ion running out); otherwise try a smaller rtol`,
              );
            }
            continue;
          }
          steps.accept(hTry, errorNorm);
          rejecting = false;
        } else if (!admissible) {
          const named = diagnoseFailure(problem, t, y, retrying(method, control, t, y, [hTry], increment));
          if (named) throw new IntegrationError(tNext, named);
          throw new IntegrationError(
            tNext,
            `${problem.explain?.(yNext) ?? "the state became non-finite or inadmissible"}; dt = ${control.dt} s is too large for this fixed-step method: try a smaller dt or the stiff method ${controlNames(control).stiffMethod}`,
          );
        }

        stepper.accept();
        fixedIndex++;
        const tPrevious = t;
        t = tNext;
        if (stepper.commit) stepper.commit(y);
        else {
          for (let i = 0; i < y.length; i++) {
            const add = increment[i]! - lost[i]!;
            const sum = y[i]! + add;
            lost[i] = sum - y[i]! - add;
            y[i] = sum;
          }
        }
        if (stats.steps > control.maxSteps) {
          throw new IntegrationError(t, `more than ${control.maxSteps} steps (${controlNames(control).maxSteps}): raise it${method.stiff ? "" : `, use the stiff method ${controlNames(control).stiffMethod}`} or loosen rtol/dt`);
        }
        if (observe(tPrevious, t, y, stepper)) return { t, y, stoppedByObserver: true, stats };
      }
    }
  } catch (e) {
    // the driver's y is the last accepted state: the failed run ends there
    if (e instanceof IntegrationError && !e.lastGood) e.lastGood = { t, y: Float64Array.from(y) };
    throw e;
  }
  return { t, y, stoppedByObserver: false, stats };
}

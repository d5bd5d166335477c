import { IntegrationError } from "../errors.js";
import { diagnoseFailure } from "./diagnosis.js";
import { hermiteInterpolate } from "./hermite.js";
import type { IntegrationResult, StepObserver } from "./integrate.js";
import { controlNames, newStats, type FixedStepKernel, type FusedRun, type IntegrationStats, type ObserverNeeds, type OdeProblem, type StepControl, type Stepper, type Vector } from "./types.js";

/** What the observer sees of a fused step: the last step's dense output (cubic Hermite) and end derivative. */
class StepView implements Stepper {
  /** The step's start (compensated state) and f there. */
  yA: Vector;
  fA: Vector;
  /** The step's end as the method gives it (y + dy, before compensation) and f there. */
  readonly yB: Vector;
  fB: Vector;
  h = 0;
  constructor(
    n: number,
    readonly stats: IntegrationStats,
  ) {
    this.yA = new Float64Array(n);
    this.fA = new Float64Array(n);
    this.yB = new Float64Array(n);
    this.fB = new Float64Array(n);
  }
  get endDerivative(): Vector {
    return this.fB;
  }
  interpolate(theta: number, out: Vector): void {
    hermiteInterpolate(theta, this.h, this.yA, this.fA, this.yB, this.fB, out);
  }
  attempt(): number | null {
    throw new Error("a fused step is not attempted from outside");
  }
  accept(): void {}
  reset(): void {}
}

/** Steps per call of a generated fused loop at most (it hands back at this count and is called again). */
const FUSED_CHUNK = 1024;

/**
 * The fused loop of fixed-step explicit methods: the same steps as integrate()'s (the dt grid,
 * each breakpoint landed on, f at a step's end reused as the next step's first stage, increments
 * added with compensated summation, so results are the same to the bit), without a stepper object,
 * interpolation buffers or an observer call per step. The observer sees only the steps `needs`
 * asks for: the first step ending at or after `needs.nextTime()`, and the steps where the watched
 * derivative crosses its threshold; the smallest value of `needs.trackMinimum` over every step is
 * kept here. Buffers are swapped, never copied.
 */
export function integrateFixedStep(
  problem: OdeProblem,
  kernel: FixedStepKernel,
  control: StepControl,
  observe: StepObserver,
  needs: ObserverNeeds,
  /** The kernel for another problem (the diagnosis of a failed step watches f): the method's fixedStepKernel. */
  kernelFor: (problem: OdeProblem) => FixedStepKernel = () => kernel,
): IntegrationResult {
  const n = problem.size;
  const rhs = problem.rhs;
  const stats = newStats();
  const view = new StepView(n, stats);
  const dy = new Float64Array(n);
  const lost = new Float64Array(n);
  // the compensated state at the step's start (y) and end (yNext), swapped after each step
  let y: Vector = Float64Array.from(problem.y0);
  let yNext: Vector = new Float64Array(n);
  const track = needs.trackMinimum ?? new Int32Array(0);
  let minimum = Infinity;
  for (let k = 0; k < track.length; k++) minimum = Math.min(minimum, y[track[k]!]!);
  const watch = needs.watch;
  const watched = watch?.component ?? 0;
  const threshold = watch?.threshold ?? 0;
  const scale = watch?.scale ?? 1;
  let wasBelow = false;
  const isAdmissible = problem.isAdmissible;
  const edges = [...problem.breakpoints.filter((b) => b > problem.t0 && b < problem.t1), problem.t1]
    .sort((a, b) => a - b)
    .filter((b, i, all) => i === 0 || b !== all[i - 1]);
  const dt = control.dt;
  let t = problem.t0;
  // a little early rather than late: the observer's own test decides what falls in the step
  let due = needs.nextTime() * (1 - 2e-12);
  // the kernel's own loop of steps, generated with f inlined, when it has one (rk4Fused.ts): it takes
  // the steps below would take, to the bit, and hands back every step that must be shown or fails
  const advance = kernel.fusedAdvance?.({ trackMinimum: track, watched: watch?.component, isAdmissible });
  const perStep = kernel.evaluationsPerStep ?? 0;
  const run: FusedRun = { segmentStart: 0, segmentEnd: 0, dt, due, limit: 0, scale, threshold, t, index: 1, minimum, wasBelow, show: false, tA: t, h: 0, y, lost, yA: view.yA, fA: view.fA, yB: view.yB, fB: view.fB };

  try {
    for (let e = 0; e < edges.length; e++) {
      const segmentEnd = edges[e]!;
      problem.beginSegment?.(t, segmentEnd);
      const segmentStart = t;
      // after a discontinuity the first stage is evaluated afresh, as the generic driver does
      rhs(t, y, view.fB);
      stats.rhsEvaluations++;
      if (e === 0) wasBelow = Math.abs(scale * view.fB[watched]!) < threshold;
      for (let index = 1; t < segmentEnd; index++) {
        if (advance !== undefined) {
          run.segmentStart = segmentStart;
          run.segmentEnd = segmentEnd;
          run.due = due;
          // in chunks: a function called often is optimised as a whole, sooner and better than a
          // single call's long loop is by on-stack replacement (W3's first runs were 1.7e6 steps/s)
          run.limit = Math.min(control.maxSteps - stats.steps, FUSED_CHUNK);
          run.t = t;
          run.index = index;
          run.minimum = minimum;
          run.wasBelow = wasBelow;
          run.y = y;
          run.lost = lost;
          run.yA = yNext;
          run.fA = view.fA;
          run.yB = view.yB;
          run.fB = view.fB;
          const taken = advance(run);
          if (taken > 0) {
            // as after the steps below: y the new state, yA (= yNext) the last step's start
            view.yA = yNext;
            view.h = run.h;
            t = run.t;
            index = run.index - 1;
            minimum = run.minimum;
            wasBelow = run.wasBelow;
            stats.steps += taken;
            stats.rhsEvaluations += perStep * taken;
            if (run.show) {
              if (observe(run.tA, t, y, view)) return { t, y, stoppedByObserver: true, stats, minimum };
              due = needs.nextTime() * (1 - 2e-12);
            }
            continue;
          }
        }
        // multiply, never accumulate, so that t stays on the dt grid without drift
        let tNext = segmentStart + index * dt;
        if (tNext >= segmentEnd - 1e-9 * dt) tNext = segmentEnd;
        const h = tNext - t;
        if (!(h > 0)) throw new IntegrationError(t, `step size underflow (h = ${h} s); try a stiff method (${controlNames(control).stiffMethod}) or a larger rtol`);
        // f at the last step's end is this step's first stage
        const swap = view.fA;
        view.fA = view.fB;
        view.fB = swap;
        kernel.step(t, y, h, view.fA, dy, stats);
        const yEnd = view.yB;
        let finite = true;
        for (let i = 0; i < n; i++) {
          const v = y[i]! + dy[i]!;
          yEnd[i] = v;
          if (v - v !== 0) finite = false; // NaN or ±Infinity
          const add = dy[i]! - lost[i]!;
          const sum = y[i]! + add;
          lost[i] = sum - y[i]! - add;
          yNext[i] = sum;
        }
        if (!finite || (isAdmissible !== undefined && !isAdmissible(yEnd))) {
          // a term of f with no meaning there (a formula beyond its range) is the reason, not dt
          const named = diagnoseFailure(problem, t, y, (watched) => {
            const f0 = new Float64Array(n);
            watched.rhs(t, y, f0);
            kernelFor(watched).step(t, y, h, f0, new Float64Array(n), newStats());
          });
          if (named) throw new IntegrationError(tNext, named);
          throw new IntegrationError(
            tNext,
            `${problem.explain?.(yEnd) ?? "the state became non-finite or inadmissible"}; dt = ${dt} s is too large for this fixed-step method: try a smaller dt or the stiff method ${controlNames(control).stiffMethod}`,
          );
        }
        view.yA = y;
        y = yNext;
        yNext = view.yA;
        const tPrevious = t;
        t = tNext;
        view.h = h;
        stats.steps++;
        rhs(t, yEnd, view.fB);
        stats.rhsEvaluations++;
        for (let k = 0; k < track.length; k++) {
          const v = y[track[k]!]!;
          if (v < minimum) minimum = v;
        }
        if (stats.steps > control.maxSteps) {
          throw new IntegrationError(t, `more than ${control.maxSteps} steps (${controlNames(control).maxSteps}): raise it, use the stiff method ${controlNames(control).stiffMethod} or loosen rtol/dt`);
        }
        let show = t >= due;
        if (watch !== undefined) {
          const below = Math.abs(scale * view.fB[watched]!) < threshold;
          if (below !== wasBelow) show = true;
          wasBelow = below;
        }
        if (show) {
          if (observe(tPrevious, t, y, view)) return { t, y, stoppedByObserver: true, stats, minimum };
          due = needs.nextTime() * (1 - 2e-12);
        }
      }
    }
  } catch (e) {
    // y is the last accepted state: the failed run ends there
    if (e instanceof IntegrationError && !e.lastGood) e.lastGood = { t, y: Float64Array.from(y) };
    throw e;
  }
  return { t, y, stoppedByObserver: false, stats, minimum };
}

import type { MembraneModel } from "../model/membraneModel.js";
import { findRootOfIncreasing } from "../numerics/roots.js";
import type { RunSettings } from "../scenario/types.js";
import type { Stepper } from "../solvers/types.js";
import { RecordTimes } from "./recordTimes.js";
import type { TrajectorySink } from "./types.js";

/**
 * The state at t = tPrev + θ·h inside the last step, from the stepper's dense output. Where the
 * step is long against the membrane time constant, V is slaved to the concentrations and the
 * interpolant's V error (≈ rtol·|V|) would swamp V − E_rev; there V is taken instead as the root
 * of C_m·dV/dt = −I_net(V, c), with c and dV/dt from the interpolant (both smooth on the slow
 * scale), so that I_net stays right.
 */
export class DenseState {
  private readonly ahead: Float64Array;
  private readonly behind: Float64Array;
  private readonly perIon: Float64Array;

  constructor(private readonly model: MembraneModel) {
    this.ahead = new Float64Array(model.size);
    this.behind = new Float64Array(model.size);
    this.perIon = new Float64Array(model.ionCount);
  }

  /** The state at θ of the last step [t − h·θ, ...], at time t (for formulas that read t). */
  at(stepper: Stepper, theta: number, h: number, out: Float64Array, t: number): void {
    const model = this.model;
    const v = model.layout.V;
    stepper.interpolate(theta, out);
    if (model.clamp) return; // V is the command, not a dynamic variable
    const slope = model.slopeConductance(out, this.perIon, t);
    if (!(h * slope > 10 * model.capacitance)) return;
    const d = 1e-4;
    stepper.interpolate(Math.min(1, theta + d), this.ahead);
    stepper.interpolate(Math.max(0, theta - d), this.behind);
    const dVdt = (this.ahead[v]! - this.behind[v]!) / ((Math.min(1, theta + d) - Math.max(0, theta - d)) * h);
    const target = -model.capacitance * dVdt;
    const root = findRootOfIncreasing((V) => model.netCurrentAt(V, out, this.perIon, t) - target, out[v]! - 1e-3, out[v]! + 1e-3, 10, 1e-15);
    if (Number.isFinite(root)) out[v] = root;
  }
}

/**
 * Sampling by dense output, never by extra steps: after each accepted step, the states at the
 * record times (recordTimes.ts: every record-every, and per decade with record: log) up to its
 * end (or an event inside it) go to the sink, and to `note` (the stochastic stop rule's rows).
 */
export class Sampler {
  /** The time of the last sample written. */
  lastSampled = 0;
  private readonly times: RecordTimes;
  private readonly state: Float64Array;

  constructor(
    private readonly sink: TrajectorySink,
    run: Pick<RunSettings, "recordEvery" | "recordLog">,
    private readonly dense: DenseState,
    size: number,
    private readonly note: (t: number, y: Float64Array) => void,
  ) {
    this.state = new Float64Array(size);
    this.times = new RecordTimes(run);
  }

  /** The next record time: a step ending at or after it has rows to give. */
  nextTime(): number {
    return this.times.peek();
  }

  /** The first sample (t = 0). */
  first(y: Float64Array): void {
    this.sink.sample(0, y);
  }

  /** The record times in (last, t] of the step [tPrev, tStepEnd] that ends (or is cut by an event) at t with state y. */
  step(tPrev: number, t: number, y: Float64Array, stepper: Stepper, tStepEnd: number): void {
    for (;;) {
      const tr = this.times.peek();
      if (tr > t * (1 + 1e-12)) break;
      if (tr >= t) {
        this.sink.sample(t, y);
        this.note(t, y);
      } else {
        this.dense.at(stepper, (tr - tPrev) / (tStepEnd - tPrev), tStepEnd - tPrev, this.state, tr);
        this.sink.sample(tr, this.state);
        this.note(tr, this.state);
      }
      this.lastSampled = Math.min(tr, t);
      this.times.advance();
    }
  }

  /** The end state, when no record time fell on it. */
  last(t: number, y: Float64Array): void {
    if (this.lastSampled < t) this.sink.sample(t, y);
  }
}

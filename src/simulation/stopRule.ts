import type { MembraneModel } from "../model/membraneModel.js";
import { findRootBracketed } from "../numerics/roots.js";
import type { RunSettings } from "../scenario/types.js";
import type { Stepper } from "../solvers/types.js";
import type { DenseState } from "./sampling.js";
import type { Fluctuations } from "./types.js";

/** Threshold (A/m²) used to judge `converged` when the scenario gives no stop rule: 1e-4 uA/cm². */
export const DEFAULT_CONVERGENCE_CURRENT = 1e-6;

/**
 * When water moves, a state is settled only when the cell's volume has stopped moving too:
 * |d vol_in/dt| / vol_in below this (1/s). A net current of zero says nothing about water (an
 * osmometer shrinks at I_net = 0); 1e-6 /s is a volume still changing by a part per million a second.
 */
export const DEFAULT_VOLUME_RATE = 1e-6;

/**
 * run.stop for deterministic runs: |I_net| below the threshold (and, when water moves, the relative
 * volume rate below DEFAULT_VOLUME_RATE) and held there for `hold`. I_net = −C_m·dV/dt, and f at
 * the step's end is already known, so no extra current evaluation; the time it became settled is
 * found on the dense output (bracketed roots). Without a stop rule it still tells when the run converged.
 */
export class NetCurrentRule {
  /** Since when the state has stayed settled, or null. */
  belowSince: number | null;
  readonly threshold: number;
  private readonly hold: number;
  private readonly state: Float64Array;
  private readonly perIon: Float64Array;

  constructor(
    private readonly model: MembraneModel,
    private readonly run: RunSettings,
    private readonly dense: DenseState,
  ) {
    this.threshold = run.stop?.netCurrentBelow ?? DEFAULT_CONVERGENCE_CURRENT;
    this.hold = run.stop?.hold ?? 0;
    this.state = new Float64Array(model.size);
    this.perIon = new Float64Array(model.ionCount);
    this.belowSince = Math.abs(model.netCurrent(model.y0, this.perIon)) < this.threshold && this.volumeExcess(model.y0) < 0 ? 0 : null;
  }

  /** |relative volume rate| − its threshold at state y (−1 when water does not move). */
  private volumeExcess(y: Float64Array): number {
    const w = this.model.water;
    if (!w) return -1;
    const osm = this.model.osmolarities(y);
    return Math.abs((w.coefficient * (osm.inside - osm.outside)) / y[w.slot]!) - DEFAULT_VOLUME_RATE;
  }

  private netAt(stepper: Stepper, theta: number, h: number, tPrev: number): number {
    const t = tPrev + theta * h;
    this.dense.at(stepper, theta, h, this.state, t);
    return Math.abs(this.model.netCurrent(this.state, this.perIon, t)) - this.threshold;
  }

  private volumeAt(stepper: Stepper, theta: number): number {
    stepper.interpolate(theta, this.state);
    return this.volumeExcess(this.state);
  }

  /**
   * Which steps it must see: without a stop rule and without water only those where |C_m·dV/dt|
   * crosses the threshold (where belowSince changes); otherwise every step (a hold is counted
   * step by step; the volume rate is not watched by the fused loop).
   */
  needs(): { everyStep: boolean; watch: { component: number; scale: number; threshold: number } } {
    return { everyStep: this.run.stop !== undefined || this.model.water !== undefined, watch: { component: this.model.layout.V, scale: this.model.capacitance, threshold: this.threshold } };
  }

  /** After the accepted step [tPrev, t] ending at state y: true to stop here. */
  step(tPrev: number, t: number, stepper: Stepper, y: Float64Array): boolean {
    const below = Math.abs(this.model.capacitance * stepper.endDerivative[this.model.layout.V]!) < this.threshold && this.volumeExcess(y) < 0;
    if (!below) this.belowSince = null;
    else if (this.belowSince === null) {
      const h = t - tPrev;
      // settled from the later of the two crossings in this step
      const current = this.netAt(stepper, 0, h, tPrev) > 0 ? findRootBracketed((th) => this.netAt(stepper, th, h, tPrev), 0, 1, 1e-9) : 0;
      const volume = this.model.water && this.volumeAt(stepper, 0) > 0 ? findRootBracketed((th) => this.volumeAt(stepper, th), 0, 1, 1e-9) : 0;
      const theta = Math.max(Number.isFinite(current) ? current : 1, Number.isFinite(volume) ? volume : 1);
      this.belowSince = tPrev + theta * (t - tPrev);
    }
    return this.run.stop !== undefined && this.belowSince !== null && t - this.belowSince >= this.hold;
  }
}

/**
 * run.stop for stochastic runs: the net current averaged over the recorded rows of the last
 * `window` seconds below the threshold; V and I_net of every row are kept for the window statistics.
 */
export class WindowRule {
  met = false;
  readonly window: number;
  readonly threshold: number;
  private readonly t: number[] = [];
  private readonly V: number[] = [];
  private readonly I: number[] = [];
  private readonly perIon: Float64Array;

  constructor(
    private readonly model: MembraneModel,
    private readonly run: RunSettings,
  ) {
    this.threshold = run.stop?.netCurrentBelow ?? DEFAULT_CONVERGENCE_CURRENT;
    this.window = run.stop?.window ?? 0.1 * run.duration;
    this.perIon = new Float64Array(model.ionCount);
  }

  /** A recorded row at time tr with state y. */
  note(tr: number, y: Float64Array): void {
    this.t.push(tr);
    this.V.push(this.model.voltageOf(tr, y));
    this.I.push(this.model.netCurrent(y, this.perIon, tr));
    if (this.run.stop && tr >= this.window) {
      let sum = 0;
      let count = 0;
      for (let i = this.t.length - 1; i >= 0 && this.t[i]! >= tr - this.window; i--) {
        sum += this.I[i]!;
        count++;
      }
      if (Math.abs(sum / count) < this.threshold) this.met = true;
    }
  }

  /** Mean and standard deviation of V (V) and I_net (A/m²) over the recorded rows of the final window. */
  statistics(tEnd: number): Fluctuations {
    const pick = (xs: number[]) => xs.filter((_, i) => this.t[i]! >= tEnd - this.window);
    const stats = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
      return { mean, sd };
    };
    const v = stats(pick(this.V));
    const i = stats(pick(this.I));
    return { window: this.window, rows: pick(this.V).length, V_mean: v.mean, V_sd: v.sd, I_net_mean: i.mean, I_net_sd: i.sd };
  }
}

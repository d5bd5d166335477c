import type { ClampProtocol } from "../scenario/types.js";

/**
 * The command voltage of a voltage clamp: the holding potential, then steps (each `to` from its
 * time `at` on) and/or a ramp. Piecewise linear: its corners are breakpoints of the integration.
 */
export class ClampCommand {
  readonly breakpoints: readonly number[];
  private level = 0;
  private slope = 0;
  private segmentStart = 0;

  constructor(private readonly protocol: ClampProtocol) {
    const points = [...protocol.steps.map((s) => s.at)];
    if (protocol.ramp) points.push(protocol.ramp.start, protocol.ramp.start + protocol.ramp.duration);
    this.breakpoints = [...new Set(points)].sort((a, b) => a - b);
  }

  /** The command voltage (V) at time t (right-continuous at steps). */
  voltageAt(t: number): number {
    const p = this.protocol;
    let v = p.holding;
    for (const s of p.steps) if (t >= s.at) v = s.to;
    const r = p.ramp;
    if (r && t >= r.start) v = t >= r.start + r.duration ? r.to : r.from + ((r.to - r.from) * (t - r.start)) / r.duration;
    return v;
  }

  /** Fixes the smooth piece containing tMid (the driver lands on every corner). */
  setSegment(tMid: number, segmentStart: number): void {
    const eps = 1e-9 * Math.max(1, Math.abs(tMid));
    this.segmentStart = segmentStart;
    const a = this.voltageAt(tMid - eps);
    const b = this.voltageAt(tMid + eps);
    this.slope = (b - a) / (2 * eps);
    if (Math.abs(this.slope) < 1e-6) this.slope = 0;
    this.level = this.voltageAt(tMid) - this.slope * (tMid - segmentStart);
  }

  /** The command within the present piece (its left limit at the piece's end). */
  inSegment(t: number): number {
    return this.level + this.slope * (t - this.segmentStart);
  }

  /** dV/dt of the command within the present piece (V/s). */
  get rate(): number {
    return this.slope;
  }
}

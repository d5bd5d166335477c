import type { ClampProtocol } from "../scenario/types.js";

/**
 * The command voltage of a voltage clamp: the holding potential, then steps (each `to` from its
 * time `at` on) and/or a ramp. Piecewise linear: its corners are breakpoints of the integration.
 * Read-only: the piece being integrated lives in a ClampPiece that each model holds, so that one
 * command can drive several models.
 */
export class ClampCommand {
  readonly breakpoints: readonly number[];

  constructor(readonly settings: ClampProtocol) {
    const points = [...settings.steps.map((s) => s.at)];
    if (settings.ramp) points.push(settings.ramp.start, settings.ramp.start + settings.ramp.duration);
    this.breakpoints = [...new Set(points)].sort((a, b) => a - b);
  }

  /** The command voltage (V) at time t (right-continuous at steps). */
  voltageAt(t: number): number {
    const p = this.settings;
    let v = p.holding;
    for (const s of p.steps) if (t >= s.at) v = s.to;
    const r = p.ramp;
    if (r && t >= r.start) v = t >= r.start + r.duration ? r.to : r.from + ((r.to - r.from) * (t - r.start)) / r.duration;
    return v;
  }

  /** Writes into `piece` the line of the smooth piece containing tMid (the driver lands on every corner). */
  enterPiece(tMid: number, segmentStart: number, piece: ClampPiece): void {
    const eps = 1e-9 * Math.max(1, Math.abs(tMid));
    const a = this.voltageAt(tMid - eps);
    const b = this.voltageAt(tMid + eps);
    let slope = (b - a) / (2 * eps);
    if (Math.abs(slope) < 1e-6) slope = 0;
    piece.segmentStart = segmentStart;
    piece.slope = slope;
    piece.level = this.voltageAt(tMid) - slope * (tMid - segmentStart);
  }
}

/** The clamp command within one smooth piece, V(t) = level + slope·(t − segmentStart); set by ClampCommand.enterPiece. */
export class ClampPiece {
  level = 0;
  slope = 0;
  segmentStart = 0;

  /** The command within the present piece (its left limit at the piece's end). */
  inSegment(t: number): number {
    return this.level + this.slope * (t - this.segmentStart);
  }

  /** dV/dt of the command within the present piece (V/s). */
  get rate(): number {
    return this.slope;
  }
}

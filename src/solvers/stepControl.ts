import type { Method, StepControl } from "./types.js";

const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 5;

/**
 * Step-size control of adaptive methods (Hairer–Nørsett–Wanner I, §II.4), apart from the
 * steppers (as Diffrax keeps its controllers): h_new = h·clamp(0.9·err^(−1/(q+1)), 0.2, 5), no
 * growth right after a rejection, a quarter step after an inadmissible state. Fixed-step methods
 * keep control.dt (the driver puts them on the dt grid).
 */
export class StepSizeController {
  /** The step size the controller wants next (s). */
  h: number;
  private readonly exponent: number;
  private rejectedLast = false;

  constructor(
    method: Method,
    private readonly control: StepControl,
  ) {
    this.exponent = method.adaptive ? 1 / (method.errorOrder + 1) : 0;
    this.h = Math.min(control.dt, control.hMax);
  }

  /** A new smooth piece starts: a rejection in the last one says nothing here. */
  beginSegment(): void {
    this.rejectedLast = false;
  }

  /** The end of the next attempt from t: t + h, stretched to the edge when within 1% of a step of it. */
  propose(t: number, segmentEnd: number): number {
    const tNext = t + Math.min(this.h, this.control.hMax);
    return tNext >= segmentEnd - 0.01 * this.h ? segmentEnd : tNext;
  }

  /** The attempt of size hTry was rejected (error norm above 1, or an inadmissible state). */
  reject(hTry: number, errorNorm: number, admissible: boolean): void {
    const factor = Number.isFinite(errorNorm) && admissible ? Math.max(MIN_FACTOR, SAFETY * errorNorm ** -this.exponent) : 0.25;
    this.h = hTry * Math.min(factor, 0.9);
    this.rejectedLast = true;
  }

  /** The attempt of size hTry was accepted with this error norm. */
  accept(hTry: number, errorNorm: number): void {
    let factor = errorNorm === 0 ? MAX_FACTOR : Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, SAFETY * errorNorm ** -this.exponent));
    if (this.rejectedLast) factor = Math.min(factor, 1);
    this.rejectedLast = false;
    // a step cut short to land on an edge says nothing against the step we wanted
    const hWanted = this.h;
    this.h = hTry * factor;
    if (hTry < hWanted && factor >= 1) this.h = Math.max(this.h, hWanted);
  }
}

import { hermiteInterpolate } from "../hermite.js";
import { newStats, type OdeProblem, type Stepper, type Vector } from "../types.js";

/**
 * Shared bookkeeping of the explicit steppers: f at the step start (the first stage, taken from
 * the previous accepted step when known) and cubic Hermite dense output over the last accepted step.
 */
export abstract class HermiteStepper implements Stepper {
  readonly stats = newStats();
  /** f(t, y) at the start of the step being attempted. */
  protected f0: Vector;
  private f0Valid = false;
  /** f at the end of the attempted step, when the method computed it (FSAL). */
  private fEndAttempt: Vector;
  private fEndAttemptValid = false;
  private yAttemptStart: Vector;
  private yAttemptEnd: Vector;
  private attemptT = 0;
  private attemptH = 0;
  // the last accepted step, for interpolation (swapped, never copied, on accept)
  private yA: Vector;
  private fA: Vector;
  private yB: Vector;
  private fB: Vector;
  private hAccepted = 0;

  constructor(protected readonly problem: OdeProblem) {
    const n = problem.size;
    this.f0 = new Float64Array(n);
    this.fEndAttempt = new Float64Array(n);
    this.yAttemptStart = new Float64Array(n);
    this.yAttemptEnd = new Float64Array(n);
    this.yA = new Float64Array(n);
    this.fA = new Float64Array(n);
    this.yB = new Float64Array(n);
    this.fB = new Float64Array(n);
  }

  /** The method proper: f0 = f(t, y) is ready; write the increment to dy; return the error norm or null. */
  protected abstract compute(t: number, y: Vector, h: number, dy: Vector): number | null;

  protected rhs(t: number, y: Vector, out: Vector): void {
    this.problem.rhs(t, y, out);
    this.stats.rhsEvaluations++;
  }

  attempt(t: number, y: Vector, h: number, dy: Vector): number | null {
    if (!this.f0Valid) {
      this.rhs(t, y, this.f0);
      this.f0Valid = true;
    }
    this.attemptT = t;
    this.attemptH = h;
    this.fEndAttemptValid = false;
    this.yAttemptStart.set(y);
    const err = this.compute(t, y, h, dy);
    for (let i = 0; i < y.length; i++) this.yAttemptEnd[i] = y[i]! + dy[i]!;
    return err;
  }

  /** First-same-as-last methods hand over f(t+h, yNext) so that accept() need not compute it. */
  protected provideEndDerivative(f: Vector): void {
    this.fEndAttempt.set(f);
    this.fEndAttemptValid = true;
  }

  accept(): void {
    this.stats.steps++;
    if (!this.fEndAttemptValid) {
      // f at the new point is the next step's first stage, so this costs no extra evaluation.
      this.rhs(this.attemptT + this.attemptH, this.yAttemptEnd, this.fEndAttempt);
    }
    // swap buffers (no copies, no allocation)
    let swap = this.yA;
    this.yA = this.yAttemptStart;
    this.yAttemptStart = swap;
    swap = this.yB;
    this.yB = this.yAttemptEnd;
    this.yAttemptEnd = swap;
    swap = this.fA;
    this.fA = this.f0;
    this.f0 = swap;
    swap = this.fB;
    this.fB = this.fEndAttempt;
    this.fEndAttempt = swap;
    this.hAccepted = this.attemptH;
    this.f0.set(this.fB);
    this.f0Valid = true;
  }

  get endDerivative(): Vector {
    return this.fB;
  }

  reset(): void {
    this.f0Valid = false;
  }

  interpolate(theta: number, out: Vector): void {
    hermiteInterpolate(theta, this.hAccepted, this.yA, this.fA, this.yB, this.fB, out);
  }
}

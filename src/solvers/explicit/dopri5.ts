import { scaledErrorNorm } from "../errorNorm.js";
import type { Method, OdeProblem, StepControl, Vector } from "../types.js";
import { HermiteStepper } from "./hermiteStepper.js";

/**
 * Dormand–Prince 5(4) tableau (Dormand & Prince 1980; Hairer, Nørsett & Wanner, Solving ODEs I,
 * Table 5.2). The solution is the 5th-order one; E = b − b̂ gives the 4th-order error estimate.
 */
export const DOPRI5 = {
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
  e: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
} as const;

class Dopri5Stepper extends HermiteStepper {
  private readonly k: Vector[];
  private readonly stage: Vector;
  private readonly err: Vector;

  constructor(
    problem: OdeProblem,
    private readonly control: StepControl,
  ) {
    super(problem);
    const n = problem.size;
    this.k = Array.from({ length: 7 }, () => new Float64Array(n));
    this.stage = new Float64Array(n);
    this.err = new Float64Array(n);
  }

  protected compute(t: number, y: Vector, h: number, dy: Vector): number {
    const { k, stage, err } = this;
    const n = y.length;
    k[0]!.set(this.f0);
    for (let s = 1; s < 7; s++) {
      const row = DOPRI5.a[s]!;
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += row[j]! * k[j]![i]!;
        // stage 7 is evaluated at y + h·Σ b_j k_j, the solution itself (FSAL): keep its increment
        if (s === 6) dy[i] = h * acc;
        stage[i] = y[i]! + h * acc;
      }
      this.rhs(t + DOPRI5.c[s]! * h, stage, k[s]!);
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < 7; j++) acc += DOPRI5.e[j]! * k[j]![i]!;
      err[i] = h * acc;
    }
    this.provideEndDerivative(k[6]!);
    return scaledErrorNorm(err, y, stage, this.control.rtol, this.control.atol);
  }
}

export const dopri5: Method = {
  name: "rk45",
  description: "Dormand-Prince 5(4), adaptive step with error control",
  order: 5,
  errorOrder: 4,
  adaptive: true,
  stiff: false,
  createStepper: (problem: OdeProblem, control: StepControl) => new Dopri5Stepper(problem, control),
};

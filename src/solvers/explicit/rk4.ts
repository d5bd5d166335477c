import type { Method, OdeProblem, Vector } from "../types.js";
import { HermiteStepper } from "./hermiteStepper.js";

/** The classic four-stage Runge–Kutta method: order 4, fixed step. */
class Rk4Stepper extends HermiteStepper {
  private readonly k2: Vector;
  private readonly k3: Vector;
  private readonly k4: Vector;
  private readonly stage: Vector;

  constructor(problem: OdeProblem) {
    super(problem);
    const n = problem.size;
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.stage = new Float64Array(n);
  }

  protected compute(t: number, y: Vector, h: number, dy: Vector): null {
    const { f0: k1, k2, k3, k4, stage } = this;
    const n = y.length;
    const h2 = 0.5 * h;
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h2 * k1[i]!;
    this.rhs(t + h2, stage, k2);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h2 * k2[i]!;
    this.rhs(t + h2, stage, k3);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h * k3[i]!;
    this.rhs(t + h, stage, k4);
    const h6 = h / 6;
    for (let i = 0; i < n; i++) dy[i] = h6 * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    return null;
  }
}

export const rk4: Method = {
  name: "rk4",
  description: "classic Runge-Kutta, order 4, fixed step dt",
  order: 4,
  errorOrder: 0,
  adaptive: false,
  stiff: false,
  createStepper: (problem: OdeProblem) => new Rk4Stepper(problem),
};

import { newStats, type Method, type OdeProblem, type Stepper, type Vector } from "../types.js";

/**
 * Euler–Maruyama for dy = f(t, y) dt + noise: y_{n+1} = y_n + h·f(t_n, y_n), then the problem's
 * noise(t_n, y_n, h, y_{n+1}) adds the random increment (and may clip). Fixed step; strong order
 * 1/2, weak order 1, and plain Euler (order 1) when the problem has no noise. Dense output is
 * linear over the step. f at a step's end starts the next step, so each step costs one f.
 */
class EulerMaruyamaStepper implements Stepper {
  readonly stats = newStats();
  readonly endDerivative: Vector;
  private fValid = false;
  private readonly yStart: Vector;
  private readonly yEnd: Vector;
  private tEnd = 0;

  constructor(private readonly problem: OdeProblem) {
    this.endDerivative = new Float64Array(problem.size);
    this.yStart = new Float64Array(problem.size);
    this.yEnd = new Float64Array(problem.size);
  }

  attempt(t: number, y: Vector, h: number, increment: Vector): number | null {
    const f = this.endDerivative;
    if (!this.fValid) {
      this.problem.rhs(t, y, f);
      this.stats.rhsEvaluations++;
      this.fValid = true;
    }
    this.yStart.set(y);
    for (let i = 0; i < y.length; i++) this.yEnd[i] = y[i]! + h * f[i]!;
    this.problem.noise?.(t, y, h, this.yEnd);
    for (let i = 0; i < y.length; i++) increment[i] = this.yEnd[i]! - y[i]!;
    this.tEnd = t + h;
    return null;
  }

  accept(): void {
    this.stats.steps++;
    this.problem.rhs(this.tEnd, this.yEnd, this.endDerivative);
    this.stats.rhsEvaluations++;
  }

  commit(y: Vector): void {
    y.set(this.yEnd);
  }

  reset(): void {
    this.fValid = false;
  }

  interpolate(theta: number, out: Vector): void {
    for (let i = 0; i < out.length; i++) out[i] = this.yStart[i]! + theta * (this.yEnd[i]! - this.yStart[i]!);
  }
}

export const eulerMaruyama: Method = {
  name: "euler-maruyama",
  description: "Euler–Maruyama for stochastic differential equations (fixed step)",
  order: 1,
  errorOrder: 0,
  adaptive: false,
  stiff: false,
  createStepper: (problem) => new EulerMaruyamaStepper(problem),
};

import { rhsCodeOf } from "../rhsCode.js";
import type { FixedStepKernel, FusedAdvance, FusedSetup, IntegrationStats, Method, OdeProblem, Vector } from "../types.js";
import { HermiteStepper } from "./hermiteStepper.js";
import { rk4FusedAdvance } from "./rk4Fused.js";

/** The classic four-stage Runge–Kutta step; f0 = k1 is given (the previous step's end derivative). */
class Rk4Kernel implements FixedStepKernel {
  private readonly k2: Vector;
  private readonly k3: Vector;
  private readonly k4: Vector;
  private readonly stage: Vector;

  constructor(private readonly problem: OdeProblem) {
    const n = problem.size;
    this.k2 = new Float64Array(n);
    this.k3 = new Float64Array(n);
    this.k4 = new Float64Array(n);
    this.stage = new Float64Array(n);
  }

  step(t: number, y: Vector, h: number, k1: Vector, dy: Vector, stats: IntegrationStats): void {
    const { k2, k3, k4, stage } = this;
    const rhs = this.problem.rhs;
    const n = y.length;
    const h2 = 0.5 * h;
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h2 * k1[i]!;
    rhs(t + h2, stage, k2);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h2 * k2[i]!;
    rhs(t + h2, stage, k3);
    for (let i = 0; i < n; i++) stage[i] = y[i]! + h * k3[i]!;
    rhs(t + h, stage, k4);
    stats.rhsEvaluations += 3;
    const h6 = h / 6;
    for (let i = 0; i < n; i++) dy[i] = h6 * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }

  /** Three stages here and f at the step's end. */
  readonly evaluationsPerStep = 4;

  /** These steps as generated code with f's body inlined (rk4Fused.ts), when f comes with its source. */
  fusedAdvance(setup: FusedSetup): FusedAdvance | undefined {
    const code = rhsCodeOf(this.problem.rhs);
    return code && rk4FusedAdvance(code, this.problem.size, setup);
  }
}

class Rk4Stepper extends HermiteStepper {
  private readonly kernel: Rk4Kernel;

  constructor(problem: OdeProblem) {
    super(problem);
    this.kernel = new Rk4Kernel(problem);
  }

  protected compute(t: number, y: Vector, h: number, dy: Vector): null {
    this.kernel.step(t, y, h, this.f0, dy, this.stats);
    return null;
  }
}

/** The classic four-stage Runge–Kutta method: order 4, fixed step. */
export const rk4: Method = {
  name: "rk4",
  description: "classic Runge-Kutta, order 4, fixed step dt",
  order: 4,
  errorOrder: 0,
  adaptive: false,
  stiff: false,
  createStepper: (problem: OdeProblem) => new Rk4Stepper(problem),
  fixedStepKernel: (problem: OdeProblem) => new Rk4Kernel(problem),
  // R(z) = 1 + z + z²/2 + z³/6 + z⁴/24, by Horner's rule in complex arithmetic
  stability: (re, im) => {
    let [a, b] = [1 / 24, 0];
    for (const c of [1 / 6, 1 / 2, 1, 1]) [a, b] = [a * re - b * im + c, a * im + b * re];
    return Math.hypot(a, b);
  },
};

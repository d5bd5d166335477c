import type { FixedStepKernel, IntegrationStats, Method, OdeProblem, Vector } from "../types.js";
import { HermiteStepper } from "./hermiteStepper.js";

/** Forward Euler, y₁ = y₀ + h·f(t₀, y₀). */
const eulerKernel: FixedStepKernel = {
  step(_t: number, y: Vector, h: number, f0: Vector, dy: Vector, _stats: IntegrationStats): void {
    for (let i = 0; i < y.length; i++) dy[i] = h * f0[i]!;
  },
};

class EulerStepper extends HermiteStepper {
  protected compute(t: number, y: Vector, h: number, dy: Vector): null {
    eulerKernel.step(t, y, h, this.f0, dy, this.stats);
    return null;
  }
}

/** Forward Euler: order 1, fixed step. */
export const euler: Method = {
  name: "euler",
  description: "forward Euler, order 1, fixed step dt",
  order: 1,
  errorOrder: 0,
  adaptive: false,
  stiff: false,
  createStepper: (problem: OdeProblem) => new EulerStepper(problem),
  fixedStepKernel: () => eulerKernel,
  // R(z) = 1 + z
  stability: (re, im) => Math.hypot(1 + re, im),
};

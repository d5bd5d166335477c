import type { Method, OdeProblem, Vector } from "../types.js";
import { HermiteStepper } from "./hermiteStepper.js";

/** Forward Euler, y₁ = y₀ + h·f(t₀, y₀): order 1, fixed step. */
class EulerStepper extends HermiteStepper {
  protected compute(_t: number, y: Vector, h: number, dy: Vector): null {
    const f0 = this.f0;
    for (let i = 0; i < y.length; i++) dy[i] = h * f0[i]!;
    return null;
  }
}

export const euler: Method = {
  name: "euler",
  description: "forward Euler, order 1, fixed step dt",
  order: 1,
  errorOrder: 0,
  adaptive: false,
  stiff: false,
  createStepper: (problem: OdeProblem) => new EulerStepper(problem),
};

import { describe, expect, it } from "vitest";
import { DOPRI5 } from "../../src/solvers/explicit/dopri5.js";
import { integrate } from "../../src/solvers/integrate.js";
import { METHODS, findMethod } from "../../src/solvers/registry.js";
import type { Method, StepControl } from "../../src/solvers/types.js";
import { observedOrder } from "../helpers/order.js";
import { dampedRotation, forcedDecay, logistic, stiffPair, type ExactProblem } from "../problems/exact.js";

/** Observed orders must match the stated order within this margin (slope fit over 4 step sizes). */
const ORDER_MARGIN = 0.25;

const control = (dt: number): StepControl => ({ rtol: 1, atol: 1, dt, hMin: 0, hMax: Infinity, maxSteps: 1e7 });

/** Global error at t1 of the method driven with the constant step (t1 − t0)/n. */
function fixedStepError(method: Method, p: ExactProblem, n: number): number {
  const { problem } = p;
  const h = (problem.t1 - problem.t0) / n;
  const stepper = method.createStepper(problem, control(h));
  const y = Float64Array.from(problem.y0);
  const next = new Float64Array(problem.size);
  for (let k = 0; k < n; k++) {
    stepper.attempt(problem.t0 + k * h, y, h, next);
    stepper.accept();
    for (let i = 0; i < y.length; i++) y[i]! += next[i]!;
  }
  const exact = p.exact(problem.t1);
  return Math.max(...Array.from(y, (v, i) => Math.abs(v - exact[i]!)));
}

describe("every registered method converges at its stated order", () => {
  for (const method of METHODS) {
    // Dormand-Prince's leading error terms nearly cancel on the logistic problem, so its error
    // ratios stay irregular down to round-off (measured: 96, 154, 56, 14, 25, 29 for n = 4…256);
    // the nonlinear check of rk45 is its tolerance test below.
    const problems = method.name === "rk45" ? [dampedRotation(), forcedDecay()] : [dampedRotation(), logistic(), forcedDecay()];
    for (const p of problems) {
      it(`${method.name} (order ${method.order}) on ${p.name}`, () => {
        // step counts chosen so that errors stay well above round-off for the high orders
        const base = method.order >= 4 ? 16 : 40;
        const ns = [base, 2 * base, 4 * base, 8 * base];
        const errors = ns.map((n) => fixedStepError(method, p, n));
        const order = observedOrder(
          ns.map((n) => 1 / n),
          errors,
        );
        expect(order).toBeGreaterThan(method.order - ORDER_MARGIN);
        expect(order).toBeLessThan(method.order + 0.6);
      });
    }
  }
});

describe("Dormand-Prince tableau identities", () => {
  it("row sums of A equal c, weights sum to 1, error weights sum to 0", () => {
    DOPRI5.a.forEach((row, i) => {
      const sum = (row as readonly number[]).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(DOPRI5.c[i]!, 14);
    });
    expect(DOPRI5.b.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(DOPRI5.e.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 14);
  });
});

describe("adaptive driver", () => {
  for (const name of ["rk45", "bdf"]) {
    it(`${name} meets a tolerance of 1e-8 on the damped rotation`, () => {
      const p = dampedRotation(5);
      const result = integrate(p.problem, findMethod(name)!, { rtol: 1e-8, atol: 1e-10, dt: 1e-3, hMin: 1e-14, hMax: Infinity, maxSteps: 1e6 }, () => false);
      const exact = p.exact(5);
      // global error accumulates over ~tens of steps; 100× the local tolerance is the usual bound
      expect(Math.abs(result.y[0]! - exact[0]!)).toBeLessThan(1e-6);
      expect(Math.abs(result.y[1]! - exact[1]!)).toBeLessThan(1e-6);
    });
  }

  it("the stiff method steps over the fast scale: few steps on a λ = 1e4 problem", () => {
    const p = stiffPair(1e4, 5);
    const ctl = { rtol: 1e-6, atol: 1e-9, dt: 1e-6, hMin: 1e-14, hMax: Infinity, maxSteps: 1e6 };
    const stiff = integrate(p.problem, findMethod("bdf")!, ctl, () => false);
    const explicit = integrate(p.problem, findMethod("rk45")!, ctl, () => false);
    const exact = p.exact(5);
    expect(Math.abs(stiff.y[0]! - exact[0]!)).toBeLessThan(1e-6 * Math.abs(exact[0]!) * 100);
    // the explicit method is bound by stability (h ≲ 3.3/λ over 5 s ≈ 15,000 steps)
    expect(explicit.stats.steps).toBeGreaterThan(10_000);
    expect(stiff.stats.steps).toBeLessThan(200);
  });

  it("lands exactly on every breakpoint", () => {
    const p = dampedRotation(1);
    const times: number[] = [];
    const problem = { ...p.problem, breakpoints: [0.123, 0.5, 0.77] };
    for (const m of METHODS) {
      times.length = 0;
      integrate(problem, m, { rtol: 1e-6, atol: 1e-9, dt: 0.01, hMin: 1e-14, hMax: Infinity, maxSteps: 1e6 }, (_a, t) => {
        times.push(t);
        return false;
      });
      for (const b of problem.breakpoints) expect(times).toContain(b);
      expect(times.at(-1)).toBe(1);
    }
  });
});

describe("dense output", () => {
  it("RODAS4's interpolant is third order (mid-step error ~ h^4)", () => {
    const p = dampedRotation();
    const method = findMethod("bdf")!;
    const hs = [0.2, 0.1, 0.05, 0.025];
    const errors = hs.map((h) => {
      const stepper = method.createStepper(p.problem, control(h));
      const increment = new Float64Array(2);
      stepper.attempt(0, p.problem.y0, h, increment);
      stepper.accept();
      const mid = new Float64Array(2);
      stepper.interpolate(0.5, mid);
      const exact = p.exact(h / 2);
      return Math.max(Math.abs(mid[0]! - exact[0]!), Math.abs(mid[1]! - exact[1]!));
    });
    expect(observedOrder(hs, errors)).toBeGreaterThan(3.7);
  });
});

import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { integrate } from "../../src/solvers/integrate.js";
import { eulerMaruyama } from "../../src/solvers/stochastic/eulerMaruyama.js";
import type { OdeProblem, StepControl } from "../../src/solvers/types.js";
import { observedOrder } from "../helpers/order.js";
import { dampedRotation } from "../problems/exact.js";

/** Euler–Maruyama behind the driver's Method/Stepper contract, against closed forms. */
const control = (dt: number, maxSteps = 1e8): StepControl => ({ rtol: 1, atol: 1, dt, hMin: 0, hMax: Infinity, maxSteps });

describe("Euler–Maruyama", () => {
  it("without noise it is Euler: order 1 through the driver", () => {
    const p = dampedRotation();
    const errors = [40, 80, 160, 320].map((n) => {
      const r = integrate(p.problem, eulerMaruyama, control((p.problem.t1 - p.problem.t0) / n), () => false);
      const exact = p.exact(p.problem.t1);
      return Math.max(...Array.from(r.y, (v, i) => Math.abs(v - exact[i]!)));
    });
    expect(Math.abs(observedOrder([40, 80, 160, 320].map((n) => (p.problem.t1 - p.problem.t0) / n), errors) - 1)).toBeLessThan(0.1);
  });

  it("Ornstein–Uhlenbeck dx = −θx dt + σ dW: stationary variance σ²/(2θ), correlation e^(−θτ)", () => {
    const theta = 2;
    const sigma = 0.5;
    const h = 1e-3;
    const random = seedrandom("ou");
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const T = 2000;
    const problem: OdeProblem = {
      size: 1,
      rhs: (_t, y, d) => {
        d[0] = -theta * y[0]!;
      },
      y0: Float64Array.of(0),
      t0: 0,
      t1: T,
      breakpoints: [],
      noise: (_t, _y, dt, next) => {
        next[0]! += sigma * Math.sqrt(dt) * normal();
      },
    };
    const xs: number[] = [];
    integrate(problem, eulerMaruyama, control(h), (_a, t, y) => {
      if (t > 5 && Math.round(t / h) % 10 === 0) xs.push(y[0]!);
      return false;
    });
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    // the exact discrete-time variance of EM is σ²h/(1 − (1 − θh)²) = σ²/(2θ − θ²h): 0.0625 + 6e-5
    const expected = (sigma * sigma) / (2 * theta - theta * theta * h);
    // about 2000 s / (1/θ correlation) = 4000 independent samples: relative SD of the estimate ≈ sqrt(2/4000) ≈ 2.2%
    expect(Math.abs(variance - expected) / expected).toBeLessThan(0.07);
    expect(Math.abs(mean)).toBeLessThan(0.02); // SD of the mean ≈ sqrt(var/4000) ≈ 0.004
    // lag-1 s correlation of the samples (taken every 10 steps = 0.01 s): e^(−2) ≈ 0.135
    const lag = 100;
    let c = 0;
    for (let i = 0; i + lag < xs.length; i++) c += (xs[i]! - mean) * (xs[i + lag]! - mean);
    c /= (xs.length - lag) * variance;
    expect(Math.abs(c - Math.exp(-theta * 1))).toBeLessThan(0.05);
  });
});

import type { Eigenvalue } from "../numerics/eigenvalues.js";
import type { Method } from "./types.js";

/**
 * The largest step h for which a fixed-step method damps every decaying mode of y' = J·y:
 * |R(h·λ)| ≤ 1 for each eigenvalue λ of J with Re λ < 0 (Hairer & Wanner II, §IV.2). Along each
 * ray h·λ the stability region of euler and rk4 is one interval from 0, found by doubling then
 * bisection. Modes with Re λ ≥ 0 (conserved quantities give λ = 0) set no bound, nor do those
 * below 1e-10 of the largest |λ| (the round-off of zero eigenvalues: 1e-58i beside −0.07). Infinity
 * when nothing decays or the method states no stability function.
 */
export function largestStableStep(method: Method, modes: readonly Eigenvalue[]): number {
  const R = method.stability;
  if (!R) return Infinity;
  let bound = Infinity;
  const scale = Math.max(0, ...modes.map((m) => Math.hypot(m.re, m.im)));
  for (const { re, im } of modes) {
    if (!(re < 0) || Math.hypot(re, im) < 1e-10 * scale) continue;
    const stable = (h: number) => R(h * re, h * im) <= 1 + 1e-12;
    // a step of 1e-3/|λ| is inside every method's region near 0 (|R| ≈ 1 − h|Re λ|)
    let lo = 1e-3 / Math.hypot(re, im);
    if (!stable(lo)) {
      bound = Math.min(bound, 0);
      continue;
    }
    let hi = 2 * lo;
    while (stable(hi) && hi < 1e300) [lo, hi] = [hi, 2 * hi];
    for (let i = 0; i < 60; i++) {
      const mid = 0.5 * (lo + hi);
      if (stable(mid)) lo = mid;
      else hi = mid;
    }
    bound = Math.min(bound, lo);
  }
  return bound;
}

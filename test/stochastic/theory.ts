import { expect } from "vitest";

/**
 * Statistics of stationary channel noise and their standard errors from theory (no fitting, no
 * error bars estimated from the data): what the stochastic tests compare against.
 *
 * A sample mean or variance of n samples of a correlated series has fewer independent samples
 * than n. For a stationary series with autocovariance C(u), sampled every dt,
 *   Var(mean) = (1/n) Σ_k C(k dt)                                  (k over all integers)
 * which for C(u) = σ² exp(−|u|/τ) and dt ≪ τ is σ²·2τ/T (T = n dt): the "2τ/T" rule.
 * For a sum of N independent identical binary channels (1 open, 0 closed) with single-channel
 * autocovariance c(u) and open probability p, the open count's sample variance has
 *   Var(s²) = (1/n) Σ_k [N (1 − 2p)² c_k + 2 N (N − 1) c_k²]
 * (exact to O(1/n), from the fourth moments of binary variables: Y² = (1 − 2p)·O + p² for
 * Y = O − p; the first term is the departure from a Gaussian and matters when N p (1 − p) is
 * small). A Gaussian series (Langevin) has
 *   Var(s²) = (2/n) Σ_k C_k².
 */

export interface Sample {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

export function sampleOf(x: ArrayLike<number>): Sample {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  return { n, mean, variance: v / (n - 1) };
}

/** The sample autocorrelation at lag (in samples). */
export function autocorrelation(x: ArrayLike<number>, lag: number, s: Sample = sampleOf(x)): number {
  let c = 0;
  for (let i = 0; i + lag < x.length; i++) c += (x[i]! - s.mean) * (x[i + lag]! - s.mean);
  return c / (x.length - lag) / s.variance;
}

/** Σ over all integers k of f(k dt), f even and decaying: f(0) + 2 Σ_{k≥1} until the terms vanish. */
function latticeSum(f: (u: number) => number, dt: number): number {
  const f0 = f(0);
  let sum = f0;
  for (let k = 1; k < 1e7; k++) {
    const term = f(k * dt);
    sum += 2 * term;
    if (Math.abs(term) < 1e-14 * Math.abs(f0)) break;
  }
  return sum;
}

/**
 * Standard errors of the sample mean and variance of the open count of N independent binary
 * channels with open probability p and single-channel autocovariance c(u), n samples dt apart.
 */
export function binarySumErrors(c: (u: number) => number, p: number, N: number, dt: number, n: number): { mean: number; variance: number } {
  const mean = Math.sqrt((N * latticeSum(c, dt)) / n);
  const variance = Math.sqrt(latticeSum((u) => N * (1 - 2 * p) ** 2 * c(u) + 2 * N * (N - 1) * c(u) ** 2, dt) / n);
  return { mean, variance };
}

/** Standard errors of the sample mean and variance of a Gaussian series with autocovariance C(u). */
export function gaussianErrors(C: (u: number) => number, dt: number, n: number): { mean: number; variance: number } {
  return { mean: Math.sqrt(latticeSum(C, dt) / n), variance: Math.sqrt((2 * latticeSum((u) => C(u) ** 2, dt)) / n) };
}

/**
 * The correlation time from the lag-one autocorrelation r of a series with ρ(u) = exp(−u/τ), and
 * its standard error: τ̂ = −dt/ln r; Bartlett's formula for a Gaussian AR(1) gives
 * Var(r) = (1 − φ²)/n with φ = exp(−dt/τ), and dτ̂/dr = τ²/(dt φ). For dt ≪ τ the relative error
 * is about sqrt(2τ/T), the variance's: the lag-one decrement is known far better than the variance
 * it is divided by.
 */
export function correlationTime(r: number, dt: number): number {
  return -dt / Math.log(r);
}
export function correlationTimeError(tau: number, dt: number, n: number): number {
  const phi = Math.exp(-dt / tau);
  return ((tau * tau) / (dt * phi)) * Math.sqrt((1 - phi * phi) / n);
}

/** ∫_0^∞ f(u) du by Simpson's rule over [0, upTo] (f smooth and negligible beyond upTo). */
export function integral(f: (u: number) => number, upTo: number, intervals = 20000): number {
  const h = upTo / intervals;
  let s = f(0) + f(upTo);
  for (let i = 1; i < intervals; i++) s += (i % 2 ? 4 : 2) * f(i * h);
  return (s * h) / 3;
}

/** C(n, k) p^k (1 − p)^(n − k). */
export function binomial(n: number, k: number, p: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c * p ** k * (1 - p) ** (n - k);
}

/**
 * n independent two-state subunits (open at α, close at β): the probability that k open become
 * k2 open after time u. Of the k open, i are still open (each with a = x∞ + (1 − x∞)e^(−u/τ)); of
 * the n − k closed, k2 − i have opened (each with b = x∞(1 − e^(−u/τ))).
 */
export function subunitTransition(n: number, k: number, k2: number, alpha: number, beta: number, u: number): number {
  const x = alpha / (alpha + beta);
  const e = Math.exp(-(alpha + beta) * u);
  const a = x + (1 - x) * e;
  const b = x * (1 - e);
  let p = 0;
  for (let i = 0; i <= Math.min(k, k2); i++) p += binomial(k, i, a) * binomial(n - k, k2 - i, b);
  return p;
}

/**
 * Asserts |measured − theory| < k standard errors (k = 4 unless given); the failure names the
 * quantity and the numbers, and the test goes on (a soft assertion: every check that fails is
 * reported). Returns how many standard errors off it was (the z-score).
 */
export function expectWithin(label: string, measured: number, theory: number, se: number, k = 4): number {
  const z = (measured - theory) / se;
  expect.soft(Math.abs(z), `${label}: measured ${measured.toPrecision(6)}, theory ${theory.toPrecision(6)}, standard error ${se.toPrecision(3)}: ${z.toFixed(2)} SE off`).toBeLessThan(k);
  return z;
}

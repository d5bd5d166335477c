/**
 * Root of a continuous f on [a, b] with f(a)·f(b) ≤ 0, by the Illinois variant of regula falsi
 * (superlinear, never leaves the bracket), with a bisection step whenever the bracket fails to
 * shrink by half in two iterations. Returns NaN if the bracket does not hold a sign change.
 */
export function findRootBracketed(
  f: (x: number) => number,
  a: number,
  b: number,
  xTolerance: number,
  maxIterations = 200,
): number {
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (!(fa * fb < 0)) return NaN;
  let side = 0;
  let width = Math.abs(b - a);
  for (let i = 0; i < maxIterations; i++) {
    let x = (a * fb - b * fa) / (fb - fa);
    if (i % 2 === 1) {
      const newWidth = Math.abs(b - a);
      if (newWidth > 0.5 * width) x = 0.5 * (a + b);
      width = newWidth;
    }
    if (!(x > Math.min(a, b) && x < Math.max(a, b))) x = 0.5 * (a + b);
    const fx = f(x);
    if (fx === 0) return x;
    if (fx * fb < 0) {
      a = b;
      fa = fb;
      b = x;
      fb = fx;
      side = 0;
    } else {
      b = x;
      fb = fx;
      if (side === -1) fa *= 0.5;
      side = -1;
    }
    if (Math.abs(b - a) <= xTolerance) return Math.abs(fa) < Math.abs(fb) ? a : b;
  }
  return Math.abs(fa) < Math.abs(fb) ? a : b;
}

/** Doublings of a bracket: from 1e-12 of the limit to beyond it takes about 40. */
const MAX_WIDENINGS = 200;

/**
 * Root of an increasing function by expanding a bracket around [lo, hi] (doubling its half-width
 * up to `limit`) and then findRootBracketed. NaN when no sign change is found.
 */
export function findRootOfIncreasing(
  f: (x: number) => number,
  lo: number,
  hi: number,
  limit: number,
  xTolerance: number,
): number {
  // a bracket around a guess far outside ±limit (1e20 V), or one whose width rounds to zero,
  // would never widen: start inside the limits, wider than rounding, and stop after MAX_WIDENINGS
  lo = Math.min(Math.max(lo, -limit), limit);
  hi = Math.min(Math.max(hi, lo), limit);
  const minWidth = 1e-12 * limit;
  if (hi - lo < minWidth) lo = hi - minWidth;
  let flo = f(lo);
  let fhi = f(hi);
  let widenings = 0;
  while (flo > 0 && lo > -limit && widenings++ < MAX_WIDENINGS) {
    const w = hi - lo;
    hi = lo;
    fhi = flo;
    lo -= 2 * w;
    flo = f(lo);
  }
  while (fhi < 0 && hi < limit && widenings++ < MAX_WIDENINGS) {
    const w = hi - lo;
    lo = hi;
    flo = fhi;
    hi += 2 * w;
    fhi = f(hi);
  }
  if (!(flo <= 0 && fhi >= 0)) return NaN;
  return findRootBracketed(f, lo, hi, xTolerance);
}

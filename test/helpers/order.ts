/** Least-squares slope of log(error) against log(h): the observed order of convergence. */
export function observedOrder(stepSizes: readonly number[], errors: readonly number[]): number {
  const xs = stepSizes.map(Math.log);
  const ys = errors.map(Math.log);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

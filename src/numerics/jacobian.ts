/**
 * Forward-difference Jacobian J[i*n+j] ≈ (f_i(y + δ_j e_j) − f_i(y)) / δ_j with
 * δ_j = sqrt(ε)·max(|y_j|, typical) (typical 1e-3: a millivolt, a micromolar). Uses f0 = f(t, y) given by the caller; n extra evaluations.
 */
export function finiteDifferenceJacobian(
  f: (t: number, y: Float64Array, out: Float64Array) => void,
  t: number,
  y: Float64Array,
  f0: Float64Array,
  jacobian: Float64Array,
  work: Float64Array,
  typical: number = 1e-3,
): void {
  const n = y.length;
  const sqrtEps = Math.sqrt(Number.EPSILON);
  for (let j = 0; j < n; j++) {
    const saved = y[j]!;
    const delta = sqrtEps * Math.max(Math.abs(saved), typical);
    y[j] = saved + delta;
    const actualDelta = y[j]! - saved;
    f(t, y, work);
    y[j] = saved;
    for (let i = 0; i < n; i++) jacobian[i * n + j] = (work[i]! - f0[i]!) / actualDelta;
  }
}

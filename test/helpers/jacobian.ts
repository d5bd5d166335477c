/** A model's right-hand side, as the Jacobian tests see it. */
export interface RhsModel {
  readonly size: number;
  rhs(t: number, y: Float64Array, dydt: Float64Array): void;
}

/**
 * Central differences of f at y, column by column (h = 1e-6·max(|y_j|, 1e-3)): `numeric[i*n + j]`
 * ≈ ∂f_i/∂y_j, with each column's step `h[j]` and `fAbs[i*n + j]` = |f_i(y + h e_j)| + |f_i(y − h e_j)|
 * for a round-off bound (~ε·fAbs/h). y is restored on return.
 */
export function centralDifferences(model: RhsModel, y: Float64Array): { numeric: Float64Array; h: Float64Array; fAbs: Float64Array } {
  const n = model.size;
  const numeric = new Float64Array(n * n);
  const fAbs = new Float64Array(n * n);
  const h = new Float64Array(n);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    h[j] = 1e-6 * Math.max(Math.abs(y[j]!), 1e-3);
    const saved = y[j]!;
    y[j] = saved + h[j]!;
    model.rhs(0, y, fp);
    y[j] = saved - h[j]!;
    model.rhs(0, y, fm);
    y[j] = saved;
    for (let i = 0; i < n; i++) {
      numeric[i * n + j] = (fp[i]! - fm[i]!) / (2 * h[j]!);
      fAbs[i * n + j] = Math.abs(fp[i]!) + Math.abs(fm[i]!);
    }
  }
  return { numeric, h, fAbs };
}

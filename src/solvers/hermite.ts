/**
 * Cubic Hermite interpolation on a step from (y0, f0) to (y1, f1) of size h, at θ ∈ [0, 1].
 * Used as the dense output of the explicit methods (third order, exact at both ends).
 */
export function hermiteInterpolate(
  theta: number,
  h: number,
  y0: Float64Array,
  f0: Float64Array,
  y1: Float64Array,
  f1: Float64Array,
  out: Float64Array,
): void {
  const t2 = theta * theta;
  const t3 = t2 * theta;
  const h00 = 2 * t3 - 3 * t2 + 1;
  const h10 = t3 - 2 * t2 + theta;
  const h01 = -2 * t3 + 3 * t2;
  const h11 = t3 - t2;
  for (let i = 0; i < out.length; i++) {
    out[i] = h00 * y0[i]! + h10 * h * f0[i]! + h01 * y1[i]! + h11 * h * f1[i]!;
  }
}

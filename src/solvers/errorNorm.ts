/**
 * Hairer's scaled RMS error norm: sqrt(mean((e_i / (atol + rtol·max(|y_i|, |ŷ_i|)))²)).
 * A value ≤ 1 means the step meets the tolerances.
 */
export function scaledErrorNorm(
  error: Float64Array,
  y: Float64Array,
  yNext: Float64Array,
  rtol: number,
  atol: number,
): number {
  const n = error.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const scale = atol + rtol * Math.max(Math.abs(y[i]!), Math.abs(yNext[i]!));
    const r = error[i]! / scale;
    sum += r * r;
  }
  return Math.sqrt(sum / n);
}

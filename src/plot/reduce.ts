/**
 * Point reduction for plots: per bucket of x (one pixel column, say) keep the first, the smallest,
 * the largest and the last point, in x order. A million-row trajectory becomes a few thousand
 * points, and every extreme (a spike's peak, its undershoot) survives exactly.
 */
export function reduceMinMax(x: ArrayLike<number>, y: ArrayLike<number>, buckets: number): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= 4 * buckets) return { x: Array.from(x), y: Array.from(y) };
  const x0 = x[0]!;
  const span = x[n - 1]! - x0 || 1;
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = b === buckets - 1 ? Infinity : x0 + ((b + 1) * span) / buckets;
    const first = i;
    let lo = i;
    let hi = i;
    for (; i < n && (x[i]! < end || b === buckets - 1); i++) {
      if (y[i]! < y[lo]!) lo = i;
      if (y[i]! > y[hi]!) hi = i;
    }
    const last = i - 1;
    for (const k of [...new Set([first, lo, hi, last])].sort((a, b2) => a - b2)) {
      outX.push(x[k]!);
      outY.push(y[k]!);
    }
  }
  return { x: outX, y: outY };
}

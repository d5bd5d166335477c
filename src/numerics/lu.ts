/**
 * Dense LU factorisation with partial pivoting, in place, for the small systems of the stiff
 * method (n ≈ 2·ions + 1). Row-major n×n storage; no allocation after construction.
 */
export class DenseLu {
  readonly pivots: Int32Array;
  constructor(readonly n: number) {
    this.pivots = new Int32Array(n);
  }

  /** Factorises a (row-major, overwritten by L and U). Returns false if a pivot is exactly zero. */
  factor(a: Float64Array): boolean {
    const n = this.n;
    for (let k = 0; k < n; k++) {
      let p = k;
      let best = Math.abs(a[k * n + k]!);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]!);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      this.pivots[k] = p;
      if (best === 0) return false;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const tmp = a[k * n + j]!;
          a[k * n + j] = a[p * n + j]!;
          a[p * n + j] = tmp;
        }
      }
      const inv = 1 / a[k * n + k]!;
      for (let i = k + 1; i < n; i++) {
        const f = a[i * n + k]! * inv;
        a[i * n + k] = f;
        if (f !== 0) for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
      }
    }
    return true;
  }

  /** Solves (LU) x = b in place (b becomes x), with the factors from factor(). */
  solve(lu: Float64Array, b: Float64Array): void {
    const n = this.n;
    for (let k = 0; k < n; k++) {
      const p = this.pivots[k]!;
      if (p !== k) {
        const tmp = b[k]!;
        b[k] = b[p]!;
        b[p] = tmp;
      }
    }
    for (let i = 1; i < n; i++) {
      let s = b[i]!;
      for (let j = 0; j < i; j++) s -= lu[i * n + j]! * b[j]!;
      b[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i]!;
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j]! * b[j]!;
      b[i] = s / lu[i * n + i]!;
    }
  }
}

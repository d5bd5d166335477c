/**
 * Dense LU factorisation with partial pivoting, in place, for the small systems of the stiff
 * method (n ≈ 2·ions + 1). Row-major n×n storage; no allocation after construction.
 */
export class DenseLu {
  readonly pivots: Int32Array;
  private readonly unrolled: UnrolledSolve | undefined;
  constructor(readonly n: number) {
    this.pivots = new Int32Array(n);
    this.unrolled = n <= MAX_UNROLLED ? unrolledSolve(n) : undefined;
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
    if (this.unrolled) this.unrolled(lu, b, this.pivots);
    else solveWithLoops(this.n, lu, b, this.pivots);
  }
}

/** The solve of DenseLu as loops: any n (and the reference its unrolled form is tested against). */
export function solveWithLoops(n: number, lu: Float64Array, b: Float64Array, pivots: Int32Array): void {
  for (let k = 0; k < n; k++) {
    const p = pivots[k]!;
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

type UnrolledSolve = (lu: Float64Array, b: Float64Array, pivots: Int32Array) => void;

/** Largest system solved by generated straight-line code (the stiff method's are 2·ions + 1 + gates). */
const MAX_UNROLLED = 16;
const UNROLLED = new Map<number, UnrolledSolve>();

/**
 * DenseLu.solve for one n as straight-line code, b in locals: the same operations in the same
 * order as the loops (each row's subtractions left to right, then the division), so the results
 * are the loops' to the bit; without the loops' index arithmetic and bounds checks the stiff
 * method's six solves per step take about half the time.
 */
function unrolledSolve(n: number): UnrolledSolve {
  let f = UNROLLED.get(n);
  if (f) return f;
  const lines: string[] = [];
  for (let k = 0; k < n; k++) lines.push(`{ const p = pivots[${k}]; if (p !== ${k}) { const t = b[${k}]; b[${k}] = b[p]; b[p] = t; } }`);
  lines.push(`let ${Array.from({ length: n }, (_, i) => `b${i} = b[${i}]`).join(", ")};`);
  for (let i = 1; i < n; i++) lines.push(`b${i} = b${i}${Array.from({ length: i }, (_, j) => ` - lu[${i * n + j}] * b${j}`).join("")};`);
  for (let i = n - 1; i >= 0; i--) lines.push(`b${i} = (b${i}${Array.from({ length: n - 1 - i }, (_, d) => ` - lu[${i * n + i + 1 + d}] * b${i + 1 + d}`).join("")}) / lu[${i * n + i}];`);
  for (let i = 0; i < n; i++) lines.push(`b[${i}] = b${i};`);
  f = new Function("lu", "b", "pivots", `"use strict";\n${lines.join("\n")}`) as UnrolledSolve;
  UNROLLED.set(n, f);
  return f;
}

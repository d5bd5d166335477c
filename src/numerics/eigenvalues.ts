/**
 * Eigenvalues of a small real (unsymmetric) matrix: Householder reduction to upper Hessenberg
 * form, then the Francis double-shift QR algorithm with deflation (Golub & Van Loan, Matrix
 * Computations, §7.4-7.5; the scheme of EISPACK's hqr). Enough for the stability check of the
 * steady-state solver (n up to a few dozen); not tuned for large n.
 */
export interface Eigenvalue {
  readonly re: number;
  readonly im: number;
}

/** Row-major n×n input (not modified). Throws if the QR iteration does not converge. */
export function eigenvalues(matrix: Float64Array, n: number): Eigenvalue[] {
  const a: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => matrix[i * n + j]!));
  toHessenberg(a, n);
  return hessenbergQr(a, n);
}

function toHessenberg(a: number[][], n: number): void {
  for (let k = 0; k < n - 2; k++) {
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += a[i]![k]! ** 2;
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    if (a[k + 1]![k]! > 0) alpha = -alpha;
    const v = new Array<number>(n).fill(0);
    v[k + 1] = a[k + 1]![k]! - alpha;
    for (let i = k + 2; i < n; i++) v[i] = a[i]![k]!;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    // A ← (I − 2vvᵀ/vᵀv) A (I − 2vvᵀ/vᵀv)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i]! * a[i]![j]!;
      s = (2 * s) / vv;
      for (let i = k + 1; i < n; i++) a[i]![j]! -= s * v[i]!;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i]![j]! * v[j]!;
      s = (2 * s) / vv;
      for (let j = k + 1; j < n; j++) a[i]![j]! -= s * v[j]!;
    }
    for (let i = k + 2; i < n; i++) a[i]![k] = 0;
  }
}

function hessenbergQr(a: number[][], n: number): Eigenvalue[] {
  const out: Eigenvalue[] = [];
  let hi = n - 1;
  let iterations = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) norm += Math.abs(a[i]![j]!);
  while (hi >= 0) {
    // find a negligible subdiagonal element
    let l = hi;
    for (; l > 0; l--) {
      const s = Math.abs(a[l - 1]![l - 1]!) + Math.abs(a[l]![l]!);
      if (Math.abs(a[l]![l - 1]!) <= Number.EPSILON * (s === 0 ? norm : s)) {
        a[l]![l - 1] = 0;
        break;
      }
    }
    if (l === hi) {
      out.push({ re: a[hi]![hi]!, im: 0 });
      hi--;
      iterations = 0;
      continue;
    }
    if (l === hi - 1) {
      // a 2×2 block: its eigenvalues directly
      const p = a[hi - 1]![hi - 1]!;
      const q = a[hi - 1]![hi]!;
      const r = a[hi]![hi - 1]!;
      const s = a[hi]![hi]!;
      const tr = (p + s) / 2;
      const det = p * s - q * r;
      const disc = tr * tr - det;
      if (disc >= 0) {
        const root = Math.sqrt(disc);
        const big = tr + (tr >= 0 ? root : -root);
        out.push({ re: big, im: 0 }, { re: big !== 0 ? det / big : tr - root, im: 0 });
      } else {
        const root = Math.sqrt(-disc);
        out.push({ re: tr, im: root }, { re: tr, im: -root });
      }
      hi -= 2;
      iterations = 0;
      continue;
    }
    if (++iterations > 60 * n) throw new Error("eigenvalues: QR iteration did not converge");
    // Francis double shift on the active block [l, hi] (exceptional shifts every 10 iterations)
    let s1: number;
    let s2: number;
    if (iterations % 10 === 0) {
      const x = Math.abs(a[hi]![hi - 1]!) + Math.abs(a[hi - 1]![hi - 2]!);
      s1 = 1.5 * x;
      s2 = x * x;
    } else {
      s1 = a[hi - 1]![hi - 1]! + a[hi]![hi]!;
      s2 = a[hi - 1]![hi - 1]! * a[hi]![hi]! - a[hi - 1]![hi]! * a[hi]![hi - 1]!;
    }
    let x = a[l]![l]! * a[l]![l]! + a[l]![l + 1]! * a[l + 1]![l]! - s1 * a[l]![l]! + s2;
    let y = a[l + 1]![l]! * (a[l]![l]! + a[l + 1]![l + 1]! - s1);
    let z = l + 2 <= hi ? a[l + 1]![l]! * a[l + 2]![l + 1]! : 0;
    for (let k = l; k <= hi - 2; k++) {
      reflect3(a, n, k, x, y, z, l, hi);
      x = a[k + 1]![k]!;
      y = a[k + 2]![k]!;
      z = k + 3 <= hi ? a[k + 3]![k]! : 0;
    }
    reflect2(a, n, hi - 1, x, y, l, hi);
  }
  return out;
}

/** Applies the Householder reflector that zeroes (y, z) of (x, y, z) at rows/cols k..k+2. */
function reflect3(a: number[][], n: number, k: number, x: number, y: number, z: number, l: number, hi: number): void {
  const alpha = -Math.sign(x || 1) * Math.hypot(x, y, z);
  const v = [x - alpha, y, z];
  const vv = v[0]! ** 2 + v[1]! ** 2 + v[2]! ** 2;
  if (vv === 0) return;
  const rows = Math.min(k + 3, hi + 1);
  for (let j = Math.max(k - 1, l); j < n; j++) {
    let s = 0;
    for (let i = 0; i < 3 && k + i < rows; i++) s += v[i]! * a[k + i]![j]!;
    s = (2 * s) / vv;
    for (let i = 0; i < 3 && k + i < rows; i++) a[k + i]![j]! -= s * v[i]!;
  }
  for (let i = 0; i <= Math.min(k + 3, hi); i++) {
    let s = 0;
    for (let j = 0; j < 3 && k + j < rows; j++) s += a[i]![k + j]! * v[j]!;
    s = (2 * s) / vv;
    for (let j = 0; j < 3 && k + j < rows; j++) a[i]![k + j]! -= s * v[j]!;
  }
}

function reflect2(a: number[][], n: number, k: number, x: number, y: number, l: number, hi: number): void {
  const alpha = -Math.sign(x || 1) * Math.hypot(x, y);
  const v = [x - alpha, y];
  const vv = v[0]! ** 2 + v[1]! ** 2;
  if (vv === 0) return;
  for (let j = Math.max(k - 1, l); j < n; j++) {
    const s = (2 * (v[0]! * a[k]![j]! + v[1]! * a[k + 1]![j]!)) / vv;
    a[k]![j]! -= s * v[0]!;
    a[k + 1]![j]! -= s * v[1]!;
  }
  for (let i = 0; i <= hi; i++) {
    const s = (2 * (a[i]![k]! * v[0]! + a[i]![k + 1]! * v[1]!)) / vv;
    a[i]![k]! -= s * v[0]!;
    a[i]![k + 1]! -= s * v[1]!;
  }
}

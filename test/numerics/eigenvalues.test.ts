import { describe, expect, it } from "vitest";
import { eigenvalues } from "../../src/numerics/eigenvalues.js";

/** A = P·B·P⁻¹ with B block-diagonal (real eigenvalues and 2×2 rotation-scaling blocks). */
function similar(blocks: ({ re: number } | { re: number; im: number })[], seed: number) {
  const n = blocks.reduce((s, b) => s + ("im" in b ? 2 : 1), 0);
  const B = new Float64Array(n * n);
  let i = 0;
  for (const b of blocks) {
    if ("im" in b) {
      B[i * n + i] = b.re;
      B[i * n + i + 1] = b.im;
      B[(i + 1) * n + i] = -b.im;
      B[(i + 1) * n + i + 1] = b.re;
      i += 2;
    } else {
      B[i * n + i] = b.re;
      i += 1;
    }
  }
  // P = I + small random, P⁻¹ by Gauss-Jordan
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5);
  const P = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0) + 0.4 * rnd());
  const inv = invert(P, n);
  const A = mul(mul(P, B, n), inv, n);
  return { A, n };
}
function mul(x: Float64Array, y: Float64Array, n: number) {
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) z[i * n + j]! += x[i * n + k]! * y[k * n + j]!;
  return z;
}
function invert(m: Float64Array, n: number) {
  const a = Array.from({ length: n }, (_, i) => [...Array.from(m.slice(i * n, i * n + n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= d;
    for (let r = 0; r < n; r++) if (r !== c) { const f = a[r]![c]!; for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!; }
  }
  return Float64Array.from(a.flatMap((row) => row.slice(n)));
}
const key = (e: { re: number; im: number }) => e.re * 1e3 + e.im;

describe("eigenvalues (Hessenberg + Francis QR)", () => {
  const cases: [string, ({ re: number } | { re: number; im: number })[]][] = [
    ["real, spread over 8 decades like a membrane Jacobian", [{ re: -1e4 }, { re: -370 }, { re: -3 }, { re: -0.01 }, { re: -1e-4 }, { re: 0 }, { re: 0 }]],
    ["complex pairs", [{ re: -1, im: 2 }, { re: 0.5, im: 7 }, { re: -3 }]],
    ["mixed, 9×9", [{ re: -2, im: 1 }, { re: -5 }, { re: 4 }, { re: -0.1, im: 0.3 }, { re: 1e-3 }, { re: -7, im: 0.5 }]],
  ];
  for (const [name, blocks] of cases) {
    it(name, () => {
      const { A, n } = similar(blocks, 7);
      const got = eigenvalues(A, n).sort((x, y) => key(x) - key(y));
      const want = blocks.flatMap((b) => ("im" in b ? [{ re: b.re, im: b.im }, { re: b.re, im: -b.im }] : [{ re: b.re, im: 0 }])).sort((x, y) => key(x) - key(y));
      expect(got).toHaveLength(n);
      const scale = Math.max(...want.map((w) => Math.hypot(w.re, w.im)));
      got.forEach((g, k) => {
        expect(Math.abs(g.re - want[k]!.re)).toBeLessThan(1e-9 * scale);
        expect(Math.abs(Math.abs(g.im) - Math.abs(want[k]!.im))).toBeLessThan(1e-9 * scale);
      });
    });
  }
});

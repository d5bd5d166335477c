import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { DenseLu, solveWithLoops } from "../../src/numerics/lu.js";

/** A seeded random n×n system with a known solution: A (row-major, rows scaled over 12 decades, as a stiff Jacobian's are) and x. */
function system(n: number, seed: number): { a: Float64Array; x: Float64Array; b: Float64Array } {
  const rng = seedrandom(`lu:${n}:${seed}`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const scale = 10 ** (12 * rng() - 6);
    for (let j = 0; j < n; j++) a[i * n + j] = scale * (rng() - 0.5) * (i === j ? 4 : 1);
  }
  const x = Float64Array.from({ length: n }, () => rng() - 0.5);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j]! * x[j]!;
  return { a, x, b };
}

describe("dense LU", () => {
  it("solves A x = b (n = 1…20): x to 1e-9 relative of its largest entry, the residual to round-off", () => {
    for (let n = 1; n <= 20; n++) {
      for (let seed = 0; seed < 5; seed++) {
        const { a, x, b } = system(n, seed);
        const lu = new DenseLu(n);
        const m = Float64Array.from(a);
        expect(lu.factor(m)).toBe(true);
        const got = Float64Array.from(b);
        lu.solve(m, got);
        const big = Math.max(...x.map(Math.abs));
        for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - x[i]!) / big, `n ${n} seed ${seed} x[${i}]`).toBeLessThan(1e-9);
      }
    }
  });

  it("the generated straight-line solve gives the loops' results to the bit (n = 1…16)", () => {
    for (let n = 1; n <= 16; n++) {
      for (let seed = 0; seed < 5; seed++) {
        const { a, b } = system(n, seed);
        const lu = new DenseLu(n);
        const m = Float64Array.from(a);
        lu.factor(m);
        const fast = Float64Array.from(b);
        const loops = Float64Array.from(b);
        lu.solve(m, fast);
        solveWithLoops(n, m, loops, lu.pivots);
        expect(Array.from(fast), `n ${n} seed ${seed}`).toEqual(Array.from(loops));
        // and it pivoted: the comparison would be weaker on identity permutations
        if (n >= 4 && seed === 0) expect(Array.from(lu.pivots).some((p, k) => p !== k)).toBe(true);
      }
    }
  });

  it("a singular matrix is refused by factor()", () => {
    const lu = new DenseLu(3);
    expect(lu.factor(Float64Array.from([1, 2, 3, 2, 4, 6, 0, 0, 0]))).toBe(false);
  });
});

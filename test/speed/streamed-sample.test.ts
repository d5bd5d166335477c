import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { type Distribution, inverseNormal, sampleStream } from "../../src/sweep/sample.js";

/**
 * The sample as ionflux drew it before it was streamed (the whole N x P table at once, straight
 * from the documented draw order): the oracle that the chunked stream must equal bit for bit, so
 * that a sweep's sample.csv rows and its --resume stay what they were.
 */
function wholeSample(distributions: readonly Distribution[], count: number, seed: number, lhs: boolean): number[][] {
  const random = seedrandom(`ionflux-sweep:${seed}`);
  const p = distributions.length;
  const u: number[][] = Array.from({ length: count }, () => new Array<number>(p).fill(0));
  if (lhs) {
    for (let j = 0; j < p; j++) {
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const k = Math.floor(random() * (i + 1));
        [order[i], order[k]] = [order[k]!, order[i]!];
      }
      for (let i = 0; i < count; i++) u[i]![j] = (order[i]! + random()) / count;
    }
  } else {
    for (let i = 0; i < count; i++) for (let j = 0; j < p; j++) u[i]![j] = random();
  }
  return u.map((row) =>
    row.map((q, j) => {
      const d = distributions[j]!;
      if (d.kind === "uniform") return d.a + q * (d.b - d.a);
      if (d.kind === "log-uniform") return Math.exp(Math.log(d.a) + q * (Math.log(d.b) - Math.log(d.a)));
      return d.a + d.b * inverseNormal(q);
    }),
  );
}

const D: Distribution[] = [
  { path: "g", kind: "log-uniform", a: 0.1, b: 1, unit: "mS/cm^2" },
  { path: "pump", kind: "uniform", a: 0.1, b: 2, unit: "uA/cm^2" },
  { path: "T", kind: "normal", a: 37, b: 2, unit: "degC" },
];

describe("a seeded sample streamed in chunks is the whole sample, bit for bit", () => {
  for (const lhs of [false, true]) {
    it(`${lhs ? "Latin hypercube" : "random"}: every row equal, read forwards, backwards and strided, chunk edges included`, () => {
      const count = 1000;
      const want = wholeSample(D, count, 7, lhs);
      for (const rowsPerChunk of [1, 7, 64, 1000, 4096]) {
        const s = sampleStream(D, count, 7, lhs, rowsPerChunk);
        const orders = [Array.from({ length: count }, (_, k) => k), Array.from({ length: count }, (_, k) => count - 1 - k), Array.from({ length: count }, (_, k) => (k * 337) % count)];
        for (const order of orders) for (const k of order) expect(s.row(k), `row ${k}, chunks of ${rowsPerChunk}`).toEqual(want[k]);
      }
    });
  }

  it("one parameter, one row, and a sample longer than a chunk by one", () => {
    for (const lhs of [false, true]) {
      expect(sampleStream([D[0]!], 1, 3, lhs).row(0)).toEqual(wholeSample([D[0]!], 1, 3, lhs)[0]);
      const want = wholeSample(D.slice(0, 2), 4097, 3, lhs);
      const s = sampleStream(D.slice(0, 2), 4097, 3, lhs);
      for (const k of [0, 4095, 4096, 1, 4096]) expect(s.row(k)).toEqual(want[k]);
    }
  });

  it("refuses a row outside the sample", () => {
    const s = sampleStream(D, 10, 1, true);
    expect(() => s.row(10)).toThrow(RangeError);
    expect(() => s.row(-1)).toThrow(RangeError);
  });
});

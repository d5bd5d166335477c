import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { finiteNumbersText, numberText } from "../../src/recording/numberText.js";

/**
 * numberText / finiteNumbersText write numbers without V8's number-string cache (numberText.ts):
 * they must write what String(x) writes, byte for byte, or sweep.csv and the sample's --set texts
 * would change. Seen failing: with toPrecision(17) in place of JSON.stringify (0.1 became
 * 0.10000000000000001), and with non-finite numbers passed to JSON (NaN became "null").
 */
describe("numberText", () => {
  const rng = seedrandom("number-text");
  const special = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1e21, 1e-7, 123e-20, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53) - 2, 1 / 3, NaN, Infinity, -Infinity];
  const randomNumbers = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      i % 3 === 0 ? Math.floor((rng() - 0.5) * 1e6) : i % 3 === 1 ? (rng() - 0.5) * 10 ** Math.floor(rng() * 60 - 30) : new Float64Array(new Uint32Array([rng() * 2 ** 32, rng() * 2 ** 32]).buffer)[0]!,
    );

  it("writes String(x) for 30,000 random doubles (any bit pattern, integers, every magnitude) and the edge cases", () => {
    for (const x of [...special, ...randomNumbers(30_000)]) expect(numberText(x)).toBe(String(x));
  });

  it("writes finite numbers side by side as String(x) joined by commas", () => {
    const xs = randomNumbers(5_000).filter(Number.isFinite);
    for (let i = 0; i + 7 <= xs.length; i += 7) {
      const group = xs.slice(i, i + 7);
      expect(finiteNumbersText(group)).toBe(group.map(String).join(","));
    }
    expect(finiteNumbersText([-0, 0.5])).toBe("0,0.5");
  });
});

import { stringify } from "csv-stringify/sync";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { csvRecord as csvLine } from "../../src/recording/csv.js";

/** sweep.csv's lines (and trajectory headers) are joined by hand (csvRecord): they must be csv-stringify's, byte for byte. */
describe("csvLine", () => {
  const reference = (cells: (string | number)[]) => stringify([cells], { record_delimiter: "unix" });

  it("equals csv-stringify on 20,000 random lines of numbers and texts (plain and not)", () => {
    const rng = seedrandom("csv-line");
    const alphabet = ["a", "Z", "7", " ", ".", "_", "+", "-", ":", "/", "(", ")", "[", "]", "^", "*", ",", '"', "\n", "\r", ";", "\t", "=", "é", "'", "\\"];
    const numbers = [0, -0, 1, -1, 0.1, 1e-7, -3.0000000000000004e-12, 1e21, 123456789.125, -30.214224136961, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity];
    let quoted = 0;
    for (let line = 0; line < 20_000; line++) {
      const cells: (string | number)[] = [];
      const n = 1 + Math.floor(rng() * 10);
      for (let c = 0; c < n; c++) {
        if (rng() < 0.5) cells.push(rng() < 0.5 ? numbers[Math.floor(rng() * numbers.length)]! : (rng() - 0.5) * 10 ** Math.floor(rng() * 40 - 20));
        else cells.push(Array.from({ length: Math.floor(rng() * 8) }, () => alphabet[Math.floor(rng() * (rng() < 0.9 ? 20 : alphabet.length))]!).join(""));
      }
      const want = reference(cells);
      if (want.includes('"')) quoted++;
      expect(csvLine(cells), JSON.stringify(cells)).toBe(want);
    }
    // both kinds were exercised
    expect(quoted).toBeGreaterThan(500);
    expect(quoted).toBeLessThan(19_500);
  });

  it("a failed run's message with commas and quotes is quoted as csv-stringify quotes it", () => {
    const cells = [3, "FALSE", "", "", "", "", "", "", 'channels[0].conductance: expected a conductance, got "3 mV", see docs'];
    expect(csvLine(cells)).toBe(reference(cells));
    expect(csvLine(cells)).toContain('"channels[0].conductance: expected a conductance, got ""3 mV"", see docs"');
  });
});

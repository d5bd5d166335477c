import { afterEach, describe, expect, it } from "vitest";
import { envMilliseconds } from "../../src/cli/envMilliseconds.js";

/** The IONFLUX_*_MS knobs: a malformed value falls back to the default instead of becoming NaN (setTimeout(NaN) fires at once). */
describe("envMilliseconds", () => {
  const name = "IONFLUX_TEST_DELAY_MS";
  afterEach(() => {
    delete process.env[name];
  });
  it("reads a finite delay >= 0, and falls back for unset, empty, malformed, negative or infinite values", () => {
    expect(envMilliseconds(name, 2000)).toBe(2000);
    for (const [text, expected] of [["150", 150], ["0", 0], ["2.5", 2.5], ["", 2000], ["  ", 2000], ["abc", 2000], ["-1", 2000], ["Infinity", 2000]] as const) {
      process.env[name] = text;
      expect(envMilliseconds(name, 2000), JSON.stringify(text)).toBe(expected);
    }
  });
});

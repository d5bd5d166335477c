import { describe, expect, it } from "vitest";
import { convertQuantity, KINDS, parseQuantity } from "../../src/scenario/quantity.js";

describe("units users type", () => {
  it("37 °C, 37 ℃ and 98.6 °F are temperatures (kelvin at load time)", () => {
    expect(parseQuantity("37 °C", KINDS.temperature)).toEqual({ ok: true, value: 310.15 });
    expect(parseQuantity("37°C", KINDS.temperature)).toEqual({ ok: true, value: 310.15 });
    expect(parseQuantity("37 \u2103", KINDS.temperature)).toEqual({ ok: true, value: 310.15 });
    // (98.6 − 32)·5/9 + 273.15 = 310.15 K
    const f = parseQuantity("98.6 °F", KINDS.temperature);
    expect(f.ok && f.value).toBeCloseTo(310.15, 9);
  });
  it("a list mixing units goes into sweep.csv in its first value's unit", () => {
    expect(convertQuantity("300 K", "degC")).toBeCloseTo(26.85, 12);
    expect(convertQuantity("4000 uM", "mM")).toBe(4);
    expect(convertQuantity("5 mV", "mM")).toBeNull();
  });
});

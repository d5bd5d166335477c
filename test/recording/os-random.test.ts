import { describe, expect, it } from "vitest";
import { osRandomHex } from "../../src/recording/osRandom.js";

describe("temporary files' random part", () => {
  it("is the asked number of bytes in hex, new at every call", () => {
    const seen = new Set(Array.from({ length: 200 }, () => osRandomHex(6)));
    expect(seen.size).toBe(200);
    for (const s of seen) expect(s).toMatch(/^[0-9a-f]{12}$/);
    // 200 draws of 48 bits: every hex digit turns up (a constant or short read would not)
    expect(new Set([...seen].join("")).size).toBe(16);
  });
});

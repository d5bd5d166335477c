import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/recording/sha256.js";

const oracle = (text: string) => createHash("sha256").update(text).digest("hex");

describe("SHA-256 without node:crypto", () => {
  it("gives the standard's test vectors (FIPS 180-4 examples, one and two blocks; a million a's)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(sha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("agrees with node:crypto on every length around the block and padding edges, and on any Unicode text", () => {
    for (let n = 0; n <= 200; n++) expect(sha256Hex("x".repeat(n)), `length ${n}`).toBe(oracle("x".repeat(n)));
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (s) => sha256Hex(s) === oracle(s)), { numRuns: 500, seed: 256 });
    const scenario = "name: µ-test\nions:\n  K+: { inside: 140 mM, outside: 5 mM }  # °C, Ω, ≥\n";
    expect(sha256Hex(scenario)).toBe(oracle(scenario));
  });
});

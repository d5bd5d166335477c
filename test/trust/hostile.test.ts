import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimulatorError } from "../../src/errors.js";
import { loadScenarioFile } from "../../src/scenario/load.js";

/**
 * The hostile inputs of issue 15 kept as fixtures (test/trust/hostile/), each with the behaviour
 * it must get (expected.json): refused with a one-line error naming the file and the field. The
 * generated ones (1 MiB + 1 byte, 300,000 items, 200,000 brackets, 100,000 keys, a full disk, a
 * planted link, another PID namespace) are in limits.test.ts and atomic.test.ts.
 */
const dir = "test/trust/hostile";
const expected: { file: string; status: number; message: string }[] = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));

describe("hostile fixtures", () => {
  it.each(expected)("$file: refused naming the file and the field", ({ file, status, message }) => {
    const path = file.startsWith("/") ? file : join(dir, file);
    let error: unknown;
    try {
      loadScenarioFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimulatorError);
    const e = error as SimulatorError;
    expect(e.exitCode).toBe(status);
    expect(e.message.startsWith(path)).toBe(true);
    expect(e.message).toMatch(new RegExp(message));
    expect(e.message).not.toContain("\n");
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("clamped");
  });
});

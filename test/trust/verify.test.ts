import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("ionflux verify", () => {
  it("passes every built-in closed-form check on a fresh build and exits 0", () => {
    const r = spawnSync(process.execPath, ["bin/ionflux.js", "verify"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^all \d+ checks passed$/);
    for (const name of ["Nernst", "GHK voltage equation", "chord conductance", "Donnan", "pump-leak", "order of euler", "order of rk4", "order of rk45", "order of rodas4", "fixed-step rk4 vs adaptive"]) {
      expect(lines.some((l) => l.startsWith(name) && l.endsWith("ok"))).toBe(true);
    }
  });
});

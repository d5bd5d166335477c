import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { gridPoint, gridSize, parseAxis } from "../../src/sweep/grid.js";

describe("--vary specs", () => {
  it("a list keeps its texts, units and all", () => {
    expect(parseAxis("run.rtol=1e-6,1e-8")).toEqual({ path: "run.rtol", values: ["1e-6", "1e-8"] });
    expect(parseAxis("ions.K.outside=4 mM, 10 mM").values).toEqual(["4 mM", "10 mM"]);
  });
  it("a log range with units: ends exact, interior geometric (W2's g_K axis)", () => {
    const a = parseAxis("channels.k-leak.conductance=0.1 mS/cm^2:1.0 mS/cm^2:log:25");
    expect(a.values).toHaveLength(25);
    expect(a.values[0]).toBe("0.1 mS/cm^2");
    expect(a.values[24]).toBe("1 mS/cm^2");
    const x = a.values.map((v) => Number(v.split(" ")[0]));
    for (let i = 1; i < 24; i++) expect(x[i]! / x[i - 1]!).toBeCloseTo(10 ** (1 / 24), 12);
  });
  it("a linear range: evenly spaced, both ends included", () => {
    const x = parseAxis("pumps.pump.max-current=0.1 uA/cm^2:2.0 uA/cm^2:40").values.map((v) => Number(v.split(" ")[0]));
    expect(x[0]).toBe(0.1);
    expect(x[39]).toBe(2);
    expect(x[20]! - x[19]!).toBeCloseTo(1.9 / 39, 14);
  });
  it("refuses malformed specs", () => {
    expect(() => parseAxis("run.rtol")).toThrow(/PATH=SPEC/);
    expect(() => parseAxis("x=1 mV:2 V:3")).toThrow(/same unit/);
    expect(() => parseAxis("x=0 mV:2 mV:log:3")).toThrow(/positive/);
    expect(() => parseAxis("x=1:2:0")).toThrow(/N must be/);
  });
  it("the grid's first axis varies slowest: run k = 40 i + j", () => {
    const axes = [parseAxis("a=1,2,3"), parseAxis("b=x,y")];
    expect(gridSize(axes)).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((k) => gridPoint(axes, k).join(""))).toEqual(["1x", "1y", "2x", "2y", "3x", "3y"]);
  });
});

function ionflux(args: string[]) {
  return spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
}

describe("ionflux sweep (the built binary)", () => {
  it("writes one row per run in grid order, identical for --jobs 1 and 2, with failed runs as rows", () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), "sweep-")), mkdtempSync(join(tmpdir(), "sweep-"))];
    // the middle value of the second axis is a bad unit: those runs fail, the others do not
    const args = ["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.2 mS/cm^2:2 mS/cm^2:log:3", "--vary", "ions.K.outside=4 mM,5 mV,6 mM", "--set", "run.duration=0.1 s"];
    const r1 = ionflux([...args, "--jobs", "1", "--out", a]);
    const r2 = ionflux([...args, "--jobs", "2", "--out", b]);
    expect(r1.status).toBe(0);
    expect(r2.status).toBe(0);
    expect(r1.stdout).toMatch(/9 runs \(a grid of 3 x 3; 3 failed\)/);
    const text = readFileSync(join(a, "sweep.csv"), "utf8");
    expect(readFileSync(join(b, "sweep.csv"), "utf8")).toBe(text);
    const rows: Record<string, string>[] = parse(text, { columns: true });
    expect(rows.map((r) => r.run)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(rows[1]!.error).toMatch(/ions\.K\.outside: expected a concentration/);
    expect(rows[0]!.error).toBe("");
    // physics: with more K+ conductance the resting potential moves toward E_K (more negative)
    const v = [0, 3, 6].map((k) => Number(rows[k]!["V_final [mV]"]));
    expect(v[1]!).toBeLessThan(v[0]!);
    expect(v[2]!).toBeLessThan(v[1]!);
  });
  it("a bad path or scenario fails once, up front, with no sweep.csv", () => {
    const out = mkdtempSync(join(tmpdir(), "sweep-"));
    const r = ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.nope.conductance=1,2", "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no item "nope" in channels');
  });
});

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reduceMinMax } from "../../src/plot/reduce.js";

const { Resvg } = createRequire(import.meta.url)("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
const dir = () => mkdtempSync(join(tmpdir(), "ionflux-plot-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const seriesOf = (svg: string) => [...svg.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);

describe("point reduction", () => {
  it("keeps every extreme: a million points with one spike and one dip reduce to a few thousand with both exact", () => {
    const n = 1_000_000;
    const x = Float64Array.from({ length: n }, (_, i) => i / n);
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin((20 * i) / n) + (i === 123_457 ? 50 : 0) - (i === 876_543 ? 70 : 0));
    const r = reduceMinMax(x, y, 700);
    expect(r.x.length).toBeLessThan(2900);
    const max = (a: ArrayLike<number>) => Array.prototype.reduce.call(a, (m: number, v: number) => Math.max(m, v), -Infinity) as number;
    const min = (a: ArrayLike<number>) => Array.prototype.reduce.call(a, (m: number, v: number) => Math.min(m, v), Infinity) as number;
    expect(max(r.y)).toBe(max(y));
    expect(min(r.y)).toBe(min(y));
    expect(max(y)).toBeGreaterThan(50);
    expect(r.x[0]).toBe(0);
    expect(r.x.at(-1)).toBe(x[n - 1]);
    for (let i = 1; i < r.x.length; i++) expect(r.x[i]!).toBeGreaterThanOrEqual(r.x[i - 1]!);
  });
});

describe("ionflux run --plot and ionflux plot", () => {
  it("the trajectory SVG is well-formed XML with one series per quantity, labelled, and units on every axis", () => {
    const out = dir();
    expect(ionflux(["run", "sims/donnan.yaml", "--out", out, "--plot"]).status).toBe(0);
    const svg = readFileSync(join(out, "donnan.svg"), "utf8");
    new Resvg(svg); // resvg's XML parser (roxmltree) refuses malformed XML
    expect(seriesOf(svg)).toEqual(["V", "E_rev", "E_K", "E_Cl", "K inside", "K outside", "Cl inside", "Cl outside", "A inside", "A outside", "Na inside", "Na outside", "I_net", "I_K", "I_Cl", "I_A", "I_Na"]);
    for (const label of ["voltage [mV]", "concentration [mM] (log scale)", "current [uA/cm^2] (symlog)", "time [s] (log scale)"]) expect(svg).toContain(label);
    for (const legend of ["E_K", "E_Cl", "I_net"]) expect(svg).toContain(`class="legend">${legend}</text>`);
    // a small file whatever the rows: the 8,641-row trajectory is reduced
    expect(svg.length).toBeLessThan(400_000);
  });
  it("a spike train gets a linear time axis and gate panels; --time-axis log forces log", () => {
    const out = dir();
    expect(ionflux(["run", "sims/hh-squid-train.yaml", "--out", out]).status).toBe(0);
    expect(ionflux(["plot", join(out, "hh-squid-train.csv")]).status).toBe(0);
    const svg = readFileSync(join(out, "hh-squid-train.svg"), "utf8");
    expect(svg).toContain(">time [s]</text>");
    expect(seriesOf(svg)).toEqual(expect.arrayContaining(["na-fast.m", "na-fast.h", "k-delayed.n"]));
    expect(ionflux(["plot", join(out, "hh-squid-train.csv"), "--time-axis", "log", "--out", join(out, "log.svg")]).status).toBe(0);
    expect(readFileSync(join(out, "log.svg"), "utf8")).toContain("time [s] (log scale)");
  });
  it("PNG output has the asked size", () => {
    const out = dir();
    ionflux(["run", "sims/k-nernst.yaml", "--out", out]);
    expect(ionflux(["plot", join(out, "k-nernst.csv"), "--out", join(out, "k.png"), "--width", "640"]).status).toBe(0);
    const png = readFileSync(join(out, "k.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(640); // IHDR width
    expect(png.readUInt32BE(20)).toBeGreaterThan(400);
  });
  it("a sweep over one parameter: V_final and E_rev_final against it; over two: a heat map with failed cells marked", () => {
    const out = dir();
    ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.05 mS/cm^2:5 mS/cm^2:log:12", "--set", "run.duration=0.05 s", "--out", out]);
    expect(ionflux(["plot", join(out, "sweep.csv")]).status).toBe(0);
    const one = readFileSync(join(out, "sweep.svg"), "utf8");
    new Resvg(one);
    expect(seriesOf(one)).toEqual(["V_final", "E_rev_final"]);
    expect(one).toContain("channels.k-leak.conductance [mS/cm^2] (log scale)");
    const two = dir();
    ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.05 mS/cm^2:5 mS/cm^2:log:6", "--vary", "ions.K.outside=1 mM,2 mV,5 mM", "--set", "run.duration=0.05 s", "--out", two]);
    expect(ionflux(["plot", join(two, "sweep.csv")]).status).toBe(0);
    const heat = readFileSync(join(two, "sweep.svg"), "utf8");
    new Resvg(heat);
    expect(heat.match(/data-failed="1"/g)).toHaveLength(6);
    expect(heat).toContain("V_final [mV]");
  });
});

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reduceMinMax } from "../../src/plot/reduce.js";
import { trajectorySvg } from "../../src/plot/trajectory.js";
import { makeScale } from "../../src/plot/panel.js";
import { linearScale } from "../../src/plot/scale.js";
import { pathData } from "../../src/plot/svg.js";

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

describe("axis ranges", () => {
  it("a flat series that varies only by round-off (V held at -10 mV) sits mid-panel with distinct ticks, not stretched over the panel", () => {
    const s = makeScale("linear", [-10, -10.000000000000002, -9.999999999999998], 200, 0);
    expect(Math.abs(s.map(-10.000000000000002) - 100)).toBeLessThan(1e-6);
    expect(Math.abs(s.map(-9.999999999999998) - 100)).toBeLessThan(1e-6);
    const labels = s.ticks().map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.length).toBeGreaterThanOrEqual(3);
  });
});

describe("ionflux run --plot and ionflux plot", () => {
  it("the trajectory SVG is well-formed XML with one series per quantity, labelled, and units on every axis", () => {
    const out = dir();
    expect(ionflux(["run", "sims/donnan.yaml", "--out", out, "--plot"]).status).toBe(0);
    const svg = readFileSync(join(out, "donnan.svg"), "utf8");
    new Resvg(svg); // resvg's XML parser (roxmltree) refuses malformed XML
    // V last in its panel (drawn on top of E_rev); the impermeant A and Na have no E_X or current drawn
    expect(seriesOf(svg)).toEqual(["E_K", "E_Cl", "E_rev", "V", "K inside", "K outside", "Cl inside", "Cl outside", "A inside", "A outside", "Na inside", "Na outside", "I_K", "I_Cl", "I_net"]);
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
  it("when water moves, a volume panel and an osmolarity panel follow the currents (osmotic shock, clamped bath)", () => {
    const out = dir();
    expect(ionflux(["run", "sims/osmotic-shock.yaml", "--out", out, "--plot"]).status).toBe(0);
    const svg = readFileSync(join(out, "osmotic-shock.svg"), "utf8");
    new Resvg(svg);
    const s = seriesOf(svg);
    // after the currents, in this order; a clamped bath has no vol_out
    expect(s.slice(s.indexOf("I_net") + 1)).toEqual(["vol_in", "Osm_in", "Osm_out"]);
    for (const label of ["Cell volume (water)", "volume [pL]", "Osmolarity", "osmolarity [mM]"]) expect(svg).toContain(label);
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

/** Every `<path data-series="LABEL" … stroke="COLOUR"`: the colour each series is drawn in. */
const strokes = (svg: string) => new Map([...svg.matchAll(/<path data-series="([^"]+)" d="[^"]*" fill="none" stroke="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
/** The y of every tick label of the panel titled `title`. */
function tickYs(svg: string, title: string): { y: number; label: string }[] {
  const panel = svg.slice(svg.indexOf(`data-title="${title}"`), svg.indexOf("</g>", svg.indexOf(`data-title="${title}"`)));
  return [...panel.matchAll(/<text x="\d+(?:\.\d+)?" y="([\d.]+)" font-size="11" text-anchor="end">([^<]*)<\/text>/g)].map((m) => ({ y: Number(m[1]), label: m[2]! }));
}

describe("figures drawn for the reader", () => {
  it("one colour per ion across the panels (inside solid, outside dashed, E_X in it), V black on top of a grey E_rev band", () => {
    const out = dir();
    expect(ionflux(["run", "sims/hh-squid-train.yaml", "--out", out, "--plot"]).status).toBe(0);
    const svg = readFileSync(join(out, "hh-squid-train.svg"), "utf8");
    const colour = strokes(svg);
    for (const x of ["Na", "K", "Cl"]) {
      expect(colour.get(`E_${x}`), x).toBe(colour.get(`${x} inside`));
      expect(colour.get(`I_${x}`), x).toBe(colour.get(`${x} inside`));
      expect(colour.get(`${x} outside`), x).toBe(colour.get(`${x} inside`));
    }
    // five species, five colours (Na and Mg were both black), none of them V's black
    const ions = ["Na", "K", "Cl", "A", "Mg"].map((x) => colour.get(`${x} inside`));
    expect(new Set(ions).size).toBe(5);
    expect(ions).not.toContain("#000000");
    expect(colour.get("V")).toBe("#000000");
    expect(svg).toMatch(/data-series="E_rev"[^>]*stroke-width="6" stroke-opacity="0.55"/);
    // outside dashed, inside solid
    expect(svg).toMatch(/data-series="K outside"[^>]*stroke-dasharray/);
    expect(svg).not.toMatch(/data-series="K inside"[^>]*stroke-dasharray/);
    // A⁻ and Mg²⁺ carry no current: no E_X, no I_X
    for (const s of ["E_A", "E_Mg", "I_A", "I_Mg"]) expect(colour.has(s), s).toBe(false);
  });

  it("a point alone between gaps (a sweep value whose neighbours failed) is drawn, as a dot", () => {
    const d = pathData([10, 20, 30, 40, 50], [10, NaN, 20, NaN, 30]);
    expect(d.match(/l0 0/g)).toHaveLength(3);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><rect width="60" height="40" fill="#fff"/><path d="${d}" fill="none" stroke="#000" stroke-width="3" stroke-linecap="round"/></svg>`;
    const pixels = new Resvg(svg).render().pixels;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) dark++;
    expect(dark).toBeGreaterThanOrEqual(3 * 4); // three dots of about 3 px across
  });

  it("linear tick labels never repeat and read back to their values (narrow ranges, large and small numbers)", () => {
    for (const [lo, hi] of [[298.08, 298.16], [0, 21600], [1.2e4, 2.3e4], [1e-4, 3.1e-4], [-0.0123, 0.0456], [-90.1, -88.05], [0.1, 0.9]]) {
      const ticks = linearScale(lo!, hi!, 0, 600).ticks();
      const labels = ticks.map((t) => t.label);
      expect(new Set(labels).size, `${lo}..${hi}: ${labels.join(" ")}`).toBe(labels.length);
      const step = ticks[1]!.value - ticks[0]!.value;
      for (const t of ticks) expect(Math.abs(Number(t.label) - t.value), `${t.label} for ${t.value}`).toBeLessThan(step / 100);
    }
  });

  it("symlog tick labels stay at least 16 px apart", () => {
    const out = dir();
    expect(ionflux(["run", "sims/hh-squid-train.yaml", "--out", out, "--plot"]).status).toBe(0);
    const ticks = tickYs(readFileSync(join(out, "hh-squid-train.svg"), "utf8"), "Currents (outward positive)");
    expect(ticks.map((t) => t.label)).toContain("0");
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    const ys = ticks.map((t) => t.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(16);
  });

  it("ionflux plot NAME.iv.csv: each curve, zero crossings marked beside their predictions", () => {
    const out = dir();
    expect(ionflux(["iv", "sims/iv-protocol.yaml", "--from", "-100mV", "--to", "60mV", "--step", "5mV", "--out", out]).status).toBe(0);
    const r = ionflux(["plot", join(out, "iv-protocol.iv.csv")]);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(out, "iv-protocol.iv.svg"), "utf8");
    new Resvg(svg);
    expect(seriesOf(svg)).toEqual(["I_total instantaneous", "I_Na instantaneous", "I_K instantaneous", "I_Cl instantaneous"]);
    // one crossing per curve, each next to its prediction (chord conductance; Nernst E_Na, E_K, E_Cl)
    expect(svg.match(/data-crossing=/g)).toHaveLength(4);
    expect(svg.match(/data-prediction="(chord conductance|Nernst E_\w+)"/g)).toHaveLength(4);
    expect(svg).toContain("Nernst E_K: -77.000 mV");
  });

  it("a sample sweep is a scatter coloured by V_final with a labelled colour bar", () => {
    const out = dir();
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--samples", "40", "--lhs", "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:2 mS/cm^2:log", "--vary", "ions.K.outside=2 mM:9 mM", "--set", "run.duration=0.05 s", "--out", out]).status).toBe(0);
    expect(ionflux(["plot", join(out, "sweep.csv")]).status).toBe(0);
    const svg = readFileSync(join(out, "sweep.svg"), "utf8");
    new Resvg(svg);
    expect(svg.match(/<circle /g)).toHaveLength(40);
    expect(svg).toContain("V_final over 40 sampled runs");
    // the colour bar: labelled at six levels, from the lowest V_final to the highest
    const rows: Record<string, string>[] = parse(readFileSync(join(out, "sweep.csv"), "utf8"), { columns: true });
    const v = rows.map((r) => Number(r["V_final [mV]"]));
    const labels = [...svg.matchAll(/<line x1="[\d.]+" x2="[\d.]+" y1="[\d.]+" y2="[\d.]+" stroke="#333"\/><text x="[\d.]+" y="[\d.]+" font-size="11">([^<]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(labels).toHaveLength(6);
    expect(labels[0]).toBe(Number(Math.min(...v).toPrecision(4)));
    expect(labels.at(-1)).toBe(Number(Math.max(...v).toPrecision(4)));
  });

  it("the report shows nested summary values as tables, not JSON strings", () => {
    const out = dir();
    expect(ionflux(["run", "sims/k-nernst.yaml", "--out", out]).status).toBe(0);
    expect(ionflux(["report", out]).status).toBe(0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toMatch(/<th>concentrations_final \[mM\]<\/th><td><table class="nested"><tr><th>K<\/th><td><table class="nested"><tr><th>in<\/th><td>139\.98/);
    expect(html).toMatch(/<th>invariants<\/th><td><table class="nested">/);
    expect(html).not.toContain("{&quot;");
  });

  it("with water moving, Osm_in [mM] and vol_in [pL] are not drawn as species (they get panels of their own)", () => {
    const header = ["t [s]", "V [mV]", "E_rev [mV]", "I_net [uA/cm^2]", "K_in [mM]", "K_out [mM]", "E_K [mV]", "I_K [uA/cm^2]", "vol_in [pL]", "Osm_in [mM]", "Osm_out [mM]"];
    const t = Float64Array.from([0, 1, 2, 3]);
    const columns = header.map((_, j) => (j === 0 ? t : Float64Array.from(t, (v) => 100 + j + v)));
    const svg = trajectorySvg({ header, columns }, "water");
    expect(seriesOf(svg)).toEqual(["E_K", "E_rev", "V", "K inside", "K outside", "I_K", "I_net", "vol_in", "Osm_in", "Osm_out"]);
  });

  it("a 2,000,000-row trajectory plots in a 64 MB heap (rows are reduced as they stream)", () => {
    const out = dir();
    const file = join(out, "big.csv");
    const fd = openSync(file, "w");
    writeSync(fd, "t [s],V [mV],E_rev [mV],I_net [uA/cm^2],K_in [mM],K_out [mM],E_K [mV],I_K [uA/cm^2]\n");
    const n = 2_000_000;
    for (let start = 0; start < n; start += 100_000) {
      let chunk = "";
      for (let i = start; i < start + 100_000; i++) {
        const t = i * 1e-4;
        const V = -80 + 80 * Math.exp(-t / 2) + (i === 1_234_567 ? 30 : 0);
        chunk += `${t},${V},-80,${(V + 80) * 0.01},140,5,-89,${(V + 89) * 0.01}\n`;
      }
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const r = spawnSync(process.execPath, ["--max-old-space-size=64", "bin/ionflux.js", "plot", file, "--time-axis", "linear"], { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(out, "big.svg"), "utf8");
    expect(svg.length).toBeLessThan(400_000);
    // the one-row spike survives the reduction: V's path reaches its peak, -80 + 80·e^(-61.7) + 30 ≈ -50 mV, above every other point
    expect(seriesOf(svg)).toEqual(["E_K", "E_rev", "V", "K inside", "K outside", "I_K", "I_net"]);
  }, 180_000);
});

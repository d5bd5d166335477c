import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { drawSample } from "../../src/sweep/sample.js";

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-sweep-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const SAMPLE = ["sweep", "sims/neuron-chord.yaml", "--samples", "40", "--seed", "7", "--lhs", "--set", "run.duration=0.05 s", "--progress", "never",
  "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:2 mS/cm^2:log", "--vary", "temperature=normal:37 degC:2 degC"];

describe("seeded samples", () => {
  it("Latin hypercube: each of the N strata of every parameter is used exactly once", () => {
    const u = drawSample([{ path: "a", kind: "uniform", a: 0, b: 1, unit: "" }, { path: "b", kind: "uniform", a: 0, b: 1, unit: "" }], 50, 3, true);
    for (const j of [0, 1]) expect(new Set(u.map((row) => Math.floor(row[j]! * 50))).size).toBe(50);
  });
  it("the same seed gives the same sample; another seed another", () => {
    const d = [{ path: "a", kind: "log-uniform" as const, a: 0.1, b: 10, unit: "" }];
    expect(drawSample(d, 5, 1, false)).toEqual(drawSample(d, 5, 1, false));
    expect(drawSample(d, 5, 2, false)).not.toEqual(drawSample(d, 5, 1, false));
    for (const [x] of drawSample(d, 200, 1, false)) expect(x! >= 0.1 && x! <= 10).toBe(true);
  });
  it("is byte for byte the same with --jobs 1, --jobs 2 and as 3 merged shards", () => {
    const [a, b, c] = [dir(), dir(), dir()];
    expect(ionflux([...SAMPLE, "--jobs", "1", "--out", a]).status).toBe(0);
    expect(ionflux([...SAMPLE, "--jobs", "2", "--out", b]).status).toBe(0);
    for (const k of [1, 2, 3]) expect(ionflux([...SAMPLE, "--shard", `${k}/3`, "--jobs", "1", "--out", join(c, `s${k}`)]).status).toBe(0);
    const merged = ionflux(["merge", join(c, "s1"), join(c, "s2"), join(c, "s3"), "--out", c]);
    expect(merged.status).toBe(0);
    const one = readFileSync(join(a, "sweep.csv"), "utf8");
    expect(readFileSync(join(b, "sweep.csv"), "utf8")).toBe(one);
    expect(readFileSync(join(c, "sweep.csv"), "utf8")).toBe(one);
    const rows: Record<string, string>[] = parse(one, { columns: true });
    expect(rows).toHaveLength(40);
    // plain numbers in the unit the user wrote, the unit in the header
    expect(Object.keys(rows[0]!).slice(0, 3)).toEqual(["run", "channels.k-leak.conductance [mS/cm^2]", "temperature [degC]"]);
    expect(rows[0]!["temperature [degC]"]).toMatch(/^\d+(\.\d+)?$/);
  });
});

describe("merge refuses what would not give the unsharded table", () => {
  it("a missing shard, a foreign shard, a shard given twice", () => {
    const base = ["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.2 mS/cm^2,0.5 mS/cm^2,1 mS/cm^2", "--set", "run.duration=0.05 s"];
    const d = dir();
    for (const k of [1, 2]) ionflux([...base, "--shard", `${k}/2`, "--out", join(d, `s${k}`)]);
    ionflux([...base.slice(0, 3), "channels.k-leak.conductance=0.3 mS/cm^2,0.5 mS/cm^2,1 mS/cm^2", ...base.slice(4), "--shard", "2/2", "--out", join(d, "foreign")]);
    const missing = ionflux(["merge", join(d, "s1"), "--out", d]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing shard 2 of 2");
    const foreign = ionflux(["merge", join(d, "s1"), join(d, "foreign"), "--out", d]);
    expect(foreign.stderr).toContain("belongs to another sweep");
    const twice = ionflux(["merge", join(d, "s1"), join(d, "s1"), join(d, "s2"), "--out", d]);
    expect(twice.stderr).toContain("given twice");
    expect(ionflux(["merge", join(d, "s1"), join(d, "s2"), "--out", d]).status).toBe(0);
  });
  it("--shard 3/2 is a usage error", () => {
    const r = ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "run.rtol=1e-6,1e-7", "--shard", "3/2", "--out", dir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bad shard 3/2");
  });
  it("picks its shard from Slurm's job-array variables", () => {
    const d = dir();
    const env = { ...process.env, SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "4", SLURM_ARRAY_TASK_COUNT: "3" };
    const r = spawnSync(process.execPath, ["bin/ionflux.js", "sweep", "sims/neuron-chord.yaml", "--vary", "run.rtol=1e-6,1e-7,1e-8", "--set", "run.duration=0.05 s", "--out", d], { encoding: "utf8", env });
    expect(r.status).toBe(0);
    expect(readFileSync(join(d, "sweep.shard-2-of-3.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",")[0])).toEqual(["1"]);
  });
});

describe("interrupt and resume", () => {
  it("Ctrl-C leaves a valid partial sweep.csv; --resume completes it to the uninterrupted table", async () => {
    const args = ["sweep", "sims/bench/w1-run-down.yaml", "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:60", "--vary", "pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:40", "--jobs", "2"];
    const [whole, cut] = [dir(), dir()];
    expect(ionflux([...args, "--out", whole, "--progress", "never"]).status).toBe(0);
    const child = spawn(process.execPath, ["bin/ionflux.js", ...args, "--out", cut, "--progress", "always"], { stdio: ["ignore", "pipe", "pipe"] });
    // interrupt once the first progress line shows that runs are being done
    await new Promise<void>((resolve) => child.stderr.once("data", () => resolve()));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    const partial: string[][] = parse(readFileSync(join(cut, "sweep.csv"), "utf8"));
    expect(partial.length).toBeGreaterThan(1);
    expect(partial.length).toBeLessThan(2401);
    expect(partial.every((row) => row.length === partial[0]!.length)).toBe(true);
    const resumed = ionflux([...args, "--out", cut, "--resume", "--progress", "never"]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/kept from before/);
    expect(readFileSync(join(cut, "sweep.csv"), "utf8")).toBe(readFileSync(join(whole, "sweep.csv"), "utf8"));
  });
  it("--resume refuses the table of another sweep", () => {
    const d = dir();
    ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "run.rtol=1e-6,1e-7", "--set", "run.duration=0.05 s", "--out", d]);
    const r = ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "run.rtol=1e-6,1e-8", "--set", "run.duration=0.05 s", "--out", d, "--resume"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("not from this sweep");
  });
});

describe("a sweep written in the scenario file", () => {
  it("runs the sweep: section, and --trajectories keeps each run's CSV", () => {
    const d = dir();
    const file = join(d, "study.yaml");
    writeFileSync(file, `${readFileSync("sims/neuron-chord.yaml", "utf8").replace("duration: 1 s", "duration: 0.05 s")}
sweep:
  vary:
    channels.k-leak.conductance: "0.2 mS/cm^2:2 mS/cm^2:log:3"
    ions.K.outside: "4 mM,8 mM"
`);
    const r = ionflux(["sweep", file, "--out", d, "--trajectories"]);
    expect(r.status).toBe(0);
    const rows: Record<string, string>[] = parse(readFileSync(join(d, "sweep.csv"), "utf8"), { columns: true });
    expect(rows.map((row) => row["ions.K.outside [mM]"])).toEqual(["4", "8", "4", "8", "4", "8"]);
    const g = rows.map((row) => Number(row["channels.k-leak.conductance [mS/cm^2]"]));
    expect([g[0], g[2], g[4]]).toEqual([0.2, expect.closeTo(Math.sqrt(0.4), 14), 2]);
    // physics: raising K_out depolarises (E_K moves up)
    expect(Number(rows[1]!["V_final [mV]"])).toBeGreaterThan(Number(rows[0]!["V_final [mV]"]));
    const traj = readFileSync(join(d, "sweep.runs", "run-000005.csv"), "utf8");
    expect(traj.split("\n")[0]).toContain("V [mV]");
    // and the file still runs as a plain scenario: `run` ignores the sweep: section
    expect(ionflux(["run", file, "--out", d]).status).toBe(0);
  });
});

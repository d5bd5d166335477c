import { describe, expect, it } from "vitest";
import { convertQuantity, KINDS, parseQuantity } from "../../src/scenario/quantity.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseShard } from "../../src/sweep/shard.js";
import { PROGRESS_AFTER_MS } from "../../src/cli/runProgress.js";
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


const ionflux = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
const dir = () => mkdtempSync(join(tmpdir(), "ionflux-small-"));
const GRID = ["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.2 mS/cm^2,0.5 mS/cm^2", "--set", "run.duration=0.05 s", "--jobs", "1"];

describe("the small things a user trips on", () => {
  it("a closed pipe (ionflux run … | head -1) ends quietly with status 0", () => {
    const out = dir();
    const r = spawnSync("bash", ["-c", `node bin/ionflux.js run sims/k-nernst.yaml sims/squid-axon-ghk.yaml sims/neuron-chord.yaml --out ${out} | head -1; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: "utf8" });
    expect(r.stdout).toMatch(/^k-nernst: V = /);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toBe("status 0\n");
  });

  it("a sweep into a folder holding another sweep's table is refused unless --force or --resume", () => {
    const out = dir();
    expect(ionflux([...GRID, "--out", out]).status).toBe(0);
    const before = readFileSync(join(out, "sweep.csv"), "utf8");
    // the same sweep again is fine: it writes the same rows
    expect(ionflux([...GRID, "--out", out]).status).toBe(0);
    const other = [...GRID.slice(0, 3), "channels.k-leak.conductance=0.3 mS/cm^2,1 mS/cm^2,2 mS/cm^2", ...GRID.slice(4)];
    const refused = ionflux([...other, "--out", out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/sweep\.csv holds another sweep's table \(2 rows\); give --out with another directory, --force to replace it/);
    expect(readFileSync(join(out, "sweep.csv"), "utf8")).toBe(before);
    const forced = ionflux([...other, "--out", out, "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(join(out, "sweep.csv"), "utf8").trim().split("\n")).toHaveLength(4);
  });

  it("--seed and --lhs without --samples are refused, not ignored", () => {
    for (const flag of [["--seed", "7"], ["--lhs"]]) {
      const r = ionflux([...GRID, ...flag, "--out", dir()]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag[0]} applies to a random sample: add --samples N`);
    }
  });

  it("--out - is refused where several files are written; plot --out - writes the SVG to stdout", () => {
    const r = ionflux(["run", "sims/k-nernst.yaml", "--out", "-"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("run --out -: run writes several files");
    expect(existsSync("-")).toBe(false);
    expect(ionflux([...GRID, "--out", "-"]).status).toBe(2);
    const out = dir();
    expect(ionflux(["run", "sims/k-nernst.yaml", "--out", out]).status).toBe(0);
    const svg = ionflux(["plot", join(out, "k-nernst.csv"), "--out", "-"]);
    expect(svg.status).toBe(0);
    expect(svg.stdout).toMatch(/^<\?xml[^>]*>\s*<svg[\s\S]*<\/svg>\s*$/);
  });

  it("report on a folder without runs is an error, and merge's errors do not suggest --help", () => {
    const empty = dir();
    const r = ionflux(["report", empty]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("holds no runs (NAME.summary.json), no I-V protocol (NAME.iv.summary.json) and no sweep.csv");
    expect(existsSync(join(empty, "report.html"))).toBe(false);
    // a folder of ionflux iv output alone is reported: its reversals and the I-V figure
    const iv = dir();
    expect(ionflux(["iv", "sims/iv-protocol.yaml", "--from", "-100mV", "--to", "60mV", "--step", "20mV", "--out", iv]).status).toBe(0);
    expect(ionflux(["report", iv]).status).toBe(0);
    const html = readFileSync(join(iv, "report.html"), "utf8");
    expect(html).toContain("iv-protocol: I-V protocol");
    expect(html).toContain("Nernst E_K");
    expect(html).toMatch(/<svg[\s\S]*V_command|<svg[\s\S]*command voltage/);
    const m = ionflux(["merge", empty, "--out", empty]);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain("no shard files");
    expect(m.stderr).not.toContain("--help");
  });

  it("messages about a varied value name --vary; about a --set value, --set", () => {
    const bad = ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=abc,def", "--out", dir()]);
    expect(bad.stderr).toContain('got "abc" (Unit "abc" not found.) (set with --vary)');
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.nope.conductance=1,2", "--out", dir()]).stderr).toContain('--vary channels.nope.conductance=1: no item "nope" in channels');
    const out = dir();
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "ions.K.outside=4 mM,5 mV", "--set", "run.duration=0.05 s", "--out", out]).status).toBe(0);
    expect(readFileSync(join(out, "sweep.csv"), "utf8")).toContain('got ""5 mV"" (set with --vary)');
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "ions.K.outside=4 mM,5 mM", "--set", "run.duration=5 mV", "--out", dir()]).stderr).toContain('got "5 mV" (set with --set)');
  });

  it("`run -` and `check -` are refused (stdin is not read), and --out under /proc fails in one line rather than hanging", () => {
    for (const cmd of ["run", "check"]) {
      const r = ionflux([cmd, "-"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('"-" (standard input) is not read as a scenario');
    }
    const p = spawnSync(process.execPath, ["bin/ionflux.js", "run", "sims/k-nernst.yaml", "--out", "/proc/ionflux-test/out"], { encoding: "utf8", timeout: 20_000 });
    expect(p.signal).toBeNull(); // not killed by the timeout: Node's recursive mkdir loops forever there
    expect(p.status).toBe(1);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an option that takes one value, given twice, is refused (it used to join the two: --out a,b)", () => {
    const d = dir();
    const r = ionflux(["run", "sims/k-nernst.yaml", "--out", join(d, "a"), "--out", join(d, "b")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out is given 2 times: give it once/);
    expect(existsSync(join(d, "a"))).toBe(false);
    expect(ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "temperature=30 degC,37 degC", "--jobs", "1", "--jobs", "2", "--out", d]).stderr).toMatch(/--jobs is given 2 times/);
  });

  it("a run longer than 2 s shows its progress on a terminal (stderr), and nothing off a terminal", () => {
    expect(PROGRESS_AFTER_MS).toBe(2000);
    const out = dir();
    // the delay shortened to 0.1 s so that the run can be short: 2e6 fixed Euler steps, about a
    // second here, still several times the delay on a machine 3x faster
    const cmd = `IONFLUX_PROGRESS_AFTER_MS=100 node bin/ionflux.js run sims/k-nernst.yaml --set run.method=euler --set run.dt=0.5us --set run.stop=null --out ${out}`;
    // on the terminal only stderr: stdout goes to a file, which must hold the summary line and no progress
    const tty = spawnSync("script", ["-qec", `${cmd} > ${out}/stdout.txt`, "/dev/null"], { encoding: "utf8", timeout: 120_000 });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\rk-nernst \[#*\.*\] t = [\d.e-]+ s of 1 s/);
    const stdout = readFileSync(join(out, "stdout.txt"), "utf8");
    expect(stdout).toMatch(/^k-nernst: V = -89\.\d+ mV/);
    expect(stdout).not.toContain("\r");
    const piped = spawnSync("bash", ["-c", cmd], { encoding: "utf8", timeout: 120_000 });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe("");
  });
});

describe("--shard in job arrays beyond Slurm", () => {
  it("auto/N takes K from Kubernetes' JOB_COMPLETION_INDEX or AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX (0-based)", () => {
    expect(parseShard("auto/16", { JOB_COMPLETION_INDEX: "0" })).toEqual({ index: 1, count: 16 });
    expect(parseShard("auto/16", { JOB_COMPLETION_INDEX: "15" })).toEqual({ index: 16, count: 16 });
    expect(parseShard("auto/4", { AWS_BATCH_JOB_ARRAY_INDEX: "2" })).toEqual({ index: 3, count: 4 });
    expect(parseShard("auto/4", { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1" })).toEqual({ index: 3, count: 4 });
    expect(() => parseShard("auto/4", { AWS_BATCH_JOB_ARRAY_INDEX: "4" })).toThrow(/expected an index from 0 to 3/);
    expect(() => parseShard("auto/4", {})).toThrow(/no job-array index/);
    // inside an indexed job without --shard, every task would run the whole sweep: refused
    expect(() => parseShard(undefined, { JOB_COMPLETION_INDEX: "1" })).toThrow(/give --shard auto\/N/);
    expect(parseShard(undefined, {})).toBeNull();
  });
  it("two Kubernetes-indexed shards merge into the unsharded table", () => {
    const d = dir();
    expect(ionflux([...GRID, "--out", join(d, "all")]).status).toBe(0);
    for (const index of ["0", "1"]) expect(ionflux([...GRID, "--shard", "auto/2", "--out", join(d, `s${index}`)], { JOB_COMPLETION_INDEX: index }).status).toBe(0);
    expect(existsSync(join(d, "s1", "sweep.shard-2-of-2.csv"))).toBe(true);
    expect(ionflux(["merge", join(d, "s0"), join(d, "s1"), "--out", d]).status).toBe(0);
    expect(readFileSync(join(d, "sweep.csv"), "utf8")).toBe(readFileSync(join(d, "all", "sweep.csv"), "utf8"));
  });
});

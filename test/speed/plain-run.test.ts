import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { RunOptions } from "../../src/cli/commands/run.js";

// The full CLI's reading of a command line: main() with runCommand replaced by a recorder
const seen: RunOptions[] = [];
vi.mock("../../src/cli/commands/run.js", () => ({
  runCommand: (opts: RunOptions) => {
    seen.push(opts);
    return 0;
  },
}));
const { main } = await import("../../src/cli/main.js");
const { plainRun } = await import("../../src/cli/plainRun.js");

async function yargsReading(argv: string[]): Promise<RunOptions | null> {
  seen.length = 0;
  const code = await main(argv, () => {}, () => {});
  return code === 0 && seen.length === 1 ? { ...seen[0]!, plot: Boolean(seen[0]!.plot) } : null;
}

describe("the start-up fast path for a plain `ionflux run` reads a command line as yargs does", () => {
  it("takes the common shapes, with the options yargs gives", async () => {
    const cases = [
      ["run", "a.yaml"],
      ["run", "a.yaml", "b.json", "--out", "dir"],
      ["run", "a.yaml", "-o", "dir", "--plot"],
      ["run", "a.yaml", "--out=dir", "--set", "run.method=rk4", "--set=run.duration=2 s"],
      ["run", "a.yaml", "--plot", "--set", "temperature=6.3 degC"],
    ];
    for (const argv of cases) {
      const fast = plainRun(argv);
      expect(fast, argv.join(" ")).not.toBeNull();
      expect(fast).toEqual(await yargsReading(argv));
    }
  });

  it("leaves to yargs what it might read differently (help, repeated or unknown flags, array options followed by words)", () => {
    for (const argv of [
      ["run"],
      ["run", "--help"],
      ["run", "a.yaml", "--set", "x=1", "b.yaml"],
      ["run", "a.yaml", "--plot", "false"],
      ["run", "a.yaml", "--out", "a", "--out", "b"],
      ["run", "a.yaml", "--outdir", "a"],
      ["run", "a.yaml", "--set", "-x"],
      ["run", "a.yaml", "--", "b.yaml"],
      ["check", "a.yaml"],
      ["--version"],
    ]) {
      expect(plainRun(argv), argv.join(" ")).toBeNull();
    }
  });

  it("on random command lines from the run vocabulary, agrees with yargs whenever it takes one", async () => {
    const word = fc.constantFrom("a.yaml", "b.yaml", "dir", "x=1", "run.method=rk4", "true", "false", "--out", "-o", "--out=d", "--set", "--set=y=2", "--plot", "--plot=false", "--no-plot", "--help", "-x", "--", "-5 mV");
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 7 }), async (rest) => {
        const argv = ["run", ...rest];
        const fast = plainRun(argv);
        if (fast === null) return;
        taken++;
        expect(fast).toEqual(await yargsReading(argv));
      }),
      { numRuns: 400, seed: 14 },
    );
    expect(taken).toBeGreaterThan(30);
  });
});

describe("bin/ionflux.js starts a plain run without the ES module loader", () => {
  // Node 20 loads its ES module translators only for a first ES module; Node 22 and later load
  // them at start-up whatever the entry, so the check can tell the two paths apart only on 20.
  const tellsApart = Number(process.versions.node.split(".")[0]) < 22;
  const preload = join(mkdtempSync(join(tmpdir(), "ionflux-launch-")), "esm.cjs");
  writeFileSync(preload, `process.on("exit", () => process.stderr.write("esm-loader=" + process.moduleLoadList.includes("NativeModule internal/modules/esm/translators") + "\\n"));\n`);
  const launch = (args: string[]) => spawnSync(process.execPath, ["-r", preload, "bin/ionflux.js", ...args], { encoding: "utf8" });

  it("a plain run loads neither node:crypto nor perf_hooks (5-8 ms and about 1 ms of start-up), nor Node's streams for its summary line", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-launch-mods-"));
    const probe = join(dir, "mods.cjs");
    // the list read before anything is written, and written without process.stderr (which would load the streams itself)
    writeFileSync(probe, `const base = new Set(process.moduleLoadList); process.on("exit", () => { const l = process.moduleLoadList.filter((m) => !base.has(m)).join(","); require("node:fs").writeSync(2, "loaded=" + l + "\\n"); });\n`);
    const run = spawnSync(process.execPath, ["-r", probe, "bin/ionflux.js", "run", "sims/bench/w1-run-down.yaml", "--out", join(dir, "out")], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const loaded = /loaded=(.*)/.exec(run.stderr)![1]!.split(",");
    expect(loaded).toContain("NativeModule vm"); // the probe sees what the run loads (the code cache's module)
    expect(loaded.filter((m) => /^NativeModule (crypto|perf_hooks)$/.test(m))).toEqual([]);
    // process.stdout for the summary line (or process.stderr for a progress that a short run never
    // shows) loads about twenty: 7-11 ms of W1's whole process on Node 24 (lineWriter.ts)
    expect(run.stdout).toMatch(/^w1-run-down: V = -30\.21423 mV/);
    expect(loaded.filter((m) => /^NativeModule (stream|tty|net|internal\/fs\/sync_write_stream|internal\/streams\/.*)$/.test(m))).toEqual([]);
  });

  it.runIf(tellsApart)("a plain run is CommonJS from bin to bundle; any other command line reaches the full CLI", () => {
    const out = mkdtempSync(join(tmpdir(), "ionflux-launch-out-"));
    const run = launch(["run", "sims/k-nernst.yaml", "--out", out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^k-nernst: V = -89\.\d+ mV/);
    expect(run.stderr).toContain("esm-loader=false");
    const check = launch(["check", "sims/k-nernst.yaml"]);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stderr).toContain("esm-loader=true");
  });
});

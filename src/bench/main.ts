/**
 * `npm run bench`: the workloads of docs/benchmarks.md, each beside its C baseline measured in the
 * same run (../shared/anchors/run.sh), with ratios, accuracy against the references, steps and
 * right-hand-side evaluations. Prints a table and writes output/bench.json. `--quick` ≈ 1 minute.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MembraneModel } from "../model/membraneModel.js";
import { writeFileAtomic } from "../recording/atomicFile.js";
import { loadScenarioFile } from "../scenario/load.js";
import { parseOverride } from "../scenario/overrides.js";
import { simulate } from "../simulation/simulate.js";
import { runSweepPoints, type SweepPoint } from "../sweep/pool.js";
import type { SweepRunResult } from "../sweep/runOne.js";
import { NULL_RECORDER, SweepRunner } from "../sweep/runOne.js";
import { IONFLUX_VERSION } from "../version.js";

const REF = {
  W1: { V_mV: -30.21422413696, settle_s: 88.4764, Na_in: 45.76651834397, K_in: 121.7766921214, Cl_in: 22.54212887789 },
  W2: { checksum_V: -41.56250571637 },
  W3: { V_mV: -69.762192817107 },
};
const W1_FILE = "sims/bench/w1-run-down.yaml";
const W3_FILE = "sims/bench/w3-fixed-step.yaml";
const ANCHORS = resolve("../shared/anchors/run.sh");

const quick = process.argv.includes("--quick");
const reps = quick ? { w1: 7, proc: 5, w3: 3, w2: 3, c: 7 } : { w1: 21, proc: 11, w3: 7, w2: 5, c: 21 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
};
const log = (s: string) => process.stderr.write(`${s}\n`);

/** A C baseline, or null with the reason printed when it cannot be built or run here. */
function anchor(args: string[]): Record<string, number> | null {
  if (!existsSync(ANCHORS)) {
    log(`bench: ${ANCHORS} not found: C baselines skipped`);
    return null;
  }
  try {
    const out = execFileSync("bash", [ANCHORS, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 600_000 });
    return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>;
  } catch (e) {
    log(`bench: baseline ${args.join(" ")} failed: ${(e as Error).message.split("\n")[0]}`);
    return null;
  }
}

function w1InProcess() {
  const { scenario } = loadScenarioFile(W1_FILE, [parseOverride("run.record-every=3600 s")]);
  const once = () => simulate(new MembraneModel(scenario), scenario.run, NULL_RECORDER);
  // warm-up: half a second of runs, so that the JIT has compiled the hot paths before timing
  for (const t0 = performance.now(); performance.now() - t0 < 500; ) once();
  const times: number[] = [];
  let r = once();
  for (let i = 0; i < reps.w1; i++) {
    const t0 = performance.now();
    r = once();
    times.push(performance.now() - t0);
  }
  return {
    median_ms: median(times),
    V_end_mV: r.yEnd[0]! * 1e3,
    V_error_mV: r.yEnd[0]! * 1e3 - REF.W1.V_mV,
    settle_s: r.tConverged,
    settle_error_s: r.tConverged === null ? null : r.tConverged - REF.W1.settle_s,
    steps: r.stats.steps,
    rhs_evaluations: r.stats.rhsEvaluations,
    jacobian_evaluations: r.stats.jacobianEvaluations,
    lu_decompositions: r.stats.luDecompositions,
    moles_drift_max: Math.max(...Object.values(r.invariants.molesRelative ?? {})),
  };
}

function wholeProcess() {
  const out = mkdtempSync(join(tmpdir(), "ionflux-bench-"));
  const time = (args: string[]) => {
    const ts: number[] = [];
    for (let i = 0; i < reps.proc + 1; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
      if (i > 0) ts.push(performance.now() - t0); // the first spawn warms the file cache
    }
    return median(ts);
  };
  const node = time(["-e", "0"]);
  const ionflux = time(["bin/ionflux.js", "run", W1_FILE, "--out", out]);
  return { ionflux_ms: ionflux, node_e_0_ms: node, ratio: ionflux / node };
}

function w3() {
  const { scenario } = loadScenarioFile(W3_FILE, [parseOverride("run.record-every=10 s")]);
  const times: number[] = [];
  let r = simulate(new MembraneModel(scenario), scenario.run, NULL_RECORDER);
  for (let i = 0; i < reps.w3; i++) {
    const t0 = performance.now();
    r = simulate(new MembraneModel(scenario), scenario.run, NULL_RECORDER);
    times.push(performance.now() - t0);
  }
  const med = median(times);
  return { median_ms: med, steps: r.stats.steps, steps_per_s: r.stats.steps / (med / 1e3), V_end_mV: r.yEnd[0]! * 1e3, V_error_mV: r.yEnd[0]! * 1e3 - REF.W3.V_mV };
}

/** The W2 grid of benchmarks.md as --set overrides (run k = 40 i + j). */
function w2Points(): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (let k = 0; k < 1000; k++) {
    const i = Math.floor(k / 40);
    const j = k % 40;
    const g = i === 0 ? 0.1 : i === 24 ? 1.0 : 10 ** (-1 + i / 24);
    const pump = j === 39 ? 2.0 : 0.1 + ((2.0 - 0.1) * j) / 39;
    points.push({ index: k, sets: [`channels.k-leak.conductance=${g} mS/cm^2`, `pumps.pump.max-current=${pump} uA/cm^2`] });
  }
  return points;
}

async function w2(jobs: number) {
  const text = readFileSync(W1_FILE, "utf8");
  const points = w2Points();
  if (jobs === 1) new SweepRunner(text, W1_FILE).run(0, points[0]!.sets);
  const times: number[] = [];
  let checksum = NaN;
  let steps = 0;
  let failed = 0;
  for (let rep = 0; rep < reps.w2; rep++) {
    const t0 = performance.now();
    let results: SweepRunResult[];
    if (jobs === 1) {
      const runner = new SweepRunner(text, W1_FILE);
      results = points.map((p) => runner.run(p.index, p.sets));
    } else {
      const collected: SweepRunResult[] = [];
      await runSweepPoints({ text, file: W1_FILE, indices: points.map((p) => p.index), setsOf: (k) => [...points[k]!.sets], jobs, batchSize: 50, onResults: (r) => collected.push(...r), stopRequested: () => false });
      results = collected;
    }
    times.push(performance.now() - t0);
    checksum = results.reduce((s, r) => s + (r.V_final_mV ?? NaN) / 1e3, 0);
    steps = results.reduce((s, r) => s + (r.steps ?? 0), 0);
    failed = results.filter((r) => r.error).length;
  }
  const med = median(times);
  return { jobs, median_s: med / 1e3, runs_per_s: 1000 / (med / 1e3), checksum_V: checksum, checksum_error_V: checksum - REF.W2.checksum_V, total_steps: steps, failed };
}

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : Number(x.toPrecision(d)).toString());

async function main() {
  log(`bench: ${quick ? "quick" : "full"} run; ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"})`);
  log("bench: C baselines (builds them once; may install libsundials-dev)...");
  const cW1 = anchor(["cvode", "W1", String(reps.c)]);
  const cW2two = anchor(["cvode", "W2", String(reps.w2), "--threads", "2"]);
  const cW2one = anchor(["cvode", "W2", String(reps.w2), "--threads", "1"]);
  const cW3 = anchor(["rk4", String(Math.max(3, reps.w3))]);
  log("bench: W1 in-process...");
  const w1 = w1InProcess();
  log("bench: W1 as a whole process...");
  const proc = wholeProcess();
  log("bench: W3...");
  const w3r = w3();
  log("bench: W2 on 1 and 2 threads...");
  const w2one = await w2(1);
  const w2two = await w2(2);

  const rows: [string, string, string, string, string, string][] = [
    ["workload", "ionflux", "baseline (same run)", "ratio", "target", "accuracy / work"],
    ["W1 in-process", `${fmt(w1.median_ms)} ms`, cW1 ? `CVODE ${fmt(cW1.median_s! * 1e3)} ms` : "n/a", cW1 ? `${fmt(w1.median_ms / (cW1.median_s! * 1e3))}x` : "n/a", "<= 1.0x",
      `dV ${fmt(w1.V_error_mV, 2)} mV, settle ${fmt(w1.settle_s, 6)} s (err ${fmt(w1.settle_error_s, 2)} s), ${w1.steps} steps / ${w1.rhs_evaluations} RHS (CVODE ${cW1?.steps ?? "?"} / ${cW1?.rhs_evals ?? "?"})`],
    ["W1 whole process", `${fmt(proc.ionflux_ms)} ms`, `node -e 0 ${fmt(proc.node_e_0_ms)} ms`, `${fmt(proc.ratio)}x`, "<= 1.3x", "spawn to exit, median"],
    ["W2 sweep, 2 threads", `${fmt(w2two.runs_per_s, 4)} runs/s`, cW2two ? `CVODE ${fmt(cW2two.runs_per_s, 4)} runs/s` : "n/a", cW2two ? `${fmt(w2two.runs_per_s / cW2two.runs_per_s!)}x` : "n/a", ">= 1.0x",
      `checksum err ${fmt(w2two.checksum_error_V, 2)} V, ${w2two.failed} failed`],
    ["W2 sweep, 1 thread", `${fmt(w2one.runs_per_s, 4)} runs/s`, cW2one ? `CVODE ${fmt(cW2one.runs_per_s, 4)} runs/s` : "n/a", cW2one ? `${fmt(w2one.runs_per_s / cW2one.runs_per_s!)}x` : "n/a", "",
      `2 vs 1 thread: ${fmt(w2two.runs_per_s / w2one.runs_per_s)}x`],
    ["W3 RK4 fixed step", `${fmt(w3r.steps_per_s)} steps/s`, cW3 ? `C ${fmt(cW3.steps_per_s)} steps/s` : "n/a", cW3 ? `${fmt(w3r.steps_per_s / cW3.steps_per_s!)}x` : "n/a", ">= 0.5x", `dV ${fmt(w3r.V_error_mV, 2)} mV`],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());

  const report = {
    date: new Date().toISOString(),
    ionflux_version: IONFLUX_VERSION,
    node: process.version,
    quick,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? null },
    references: REF,
    W1: { ionflux: w1, cvode: cW1, ratio: cW1 ? w1.median_ms / (cW1.median_s! * 1e3) : null },
    W1_process: proc,
    W2: { ionflux_2_threads: w2two, ionflux_1_thread: w2one, cvode_2_threads: cW2two, cvode_1_thread: cW2one, ratio_2_threads: cW2two ? w2two.runs_per_s / cW2two.runs_per_s! : null },
    W3: { ionflux: w3r, c_rk4: cW3, ratio: cW3 ? w3r.steps_per_s / cW3.steps_per_s! : null },
  };
  writeFileAtomic("output/bench.json", `${JSON.stringify(report, null, 2)}\n`);
  log("bench: wrote output/bench.json");
}

main().catch((e) => {
  log(`bench: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});

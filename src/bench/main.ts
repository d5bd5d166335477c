/**
 * `npm run bench`: the workloads of docs/benchmarks.md, each beside its C baseline measured in the
 * same run (../shared/anchors/run.sh), with ratios, accuracy against the references, steps and
 * right-hand-side evaluations. Prints a table with a verdict per target and appends the run, with
 * its commit, to the history in output/bench.json. `--quick` ≈ 3 minutes (W4 is two 100,000-run sweeps).
 *   --node PATH     also time the whole process on this Node binary (repeatable; e.g. Node 24)
 *   --only W1,W2    only these workloads (W1, W2, W3, W4)
 *   --curve         W2 also at --jobs 1, 2, 3, 4, 6, 8 (the contention curve beyond the cores)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MembraneModel } from "../model/membraneModel.js";
import { loadScenarioFile } from "../scenario/load.js";
import { parseOverride } from "../scenario/overrides.js";
import { simulate } from "../simulation/simulate.js";
import { SweepPool, type SweepPoint } from "../sweep/pool.js";
import { NULL_RECORDER, SweepRunner, type SweepRunResult } from "../sweep/runOne.js";
import { IONFLUX_VERSION } from "../version.js";
import { appendHistory, type Check, commitOf, formatTable, targetText, verdict } from "./report.js";

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

/** `ionflux run` of W1 from spawn to exit on the Node binary `node`, beside `node -e 0` of the same binary. */
function wholeProcess(node: string) {
  const out = mkdtempSync(join(tmpdir(), "ionflux-bench-"));
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const time = (args: string[]) => {
    const ts: number[] = [];
    for (let i = 0; i < reps.proc + 1; i++) {
      const t0 = performance.now();
      const r = spawnSync(node, args, { stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${node} ${args.join(" ")} exited ${r.status}`);
      if (i > 0) ts.push(performance.now() - t0); // the first spawn warms the file cache
    }
    return ts;
  };
  // interleaved, so that a burst of load from elsewhere hits both alike
  const nodeTimes: number[] = [];
  const ionfluxTimes: number[] = [];
  for (let round = 0; round < 2; round++) {
    nodeTimes.push(...time(["-e", "0"]));
    ionfluxTimes.push(...time(["bin/ionflux.js", "run", W1_FILE, "--out", out]));
  }
  const n = median(nodeTimes);
  const ion = median(ionfluxTimes);
  rmSync(out, { recursive: true, force: true });
  return { node: node, node_version: version, ionflux_ms: ion, node_e_0_ms: n, ratio: ion / n, ionflux_spread: Math.max(...ionfluxTimes) / Math.min(...ionfluxTimes), node_spread: Math.max(...nodeTimes) / Math.min(...nodeTimes) };
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

/**
 * W2's points on this thread through one SweepRunner, with rate points written into one model (as
 * every sweep runs them) and with every point validated and its model built (ratePoints: false):
 * what the rate-point path saves. Runs of the two alternate; each takes its median.
 */
function w2RatePoints() {
  const text = readFileSync(W1_FILE, "utf8");
  const points = w2Points();
  const runners = [new SweepRunner(text, W1_FILE), new SweepRunner(text, W1_FILE, [], { ratePoints: false })];
  const sweepOn = (r: SweepRunner) => {
    const t0 = performance.now();
    let checksum = 0;
    for (const p of points) checksum += (r.run(p.index, p.sets).V_final_mV ?? NaN) / 1e3;
    return { ms: performance.now() - t0, checksum };
  };
  for (const r of runners) sweepOn(r); // warm-up
  const times: [number[], number[]] = [[], []];
  const sums = [0, 0];
  for (let rep = 0; rep < reps.w2; rep++) {
    runners.forEach((r, i) => {
      const { ms, checksum } = sweepOn(r);
      times[i]!.push(ms);
      sums[i] = checksum;
    });
  }
  const rate = (ts: number[]) => points.length / (median(ts) / 1e3);
  return { written_runs_per_s: rate(times[0]), built_runs_per_s: rate(times[1]), same_checksum: sums[0] === sums[1], written: runners[0]!.writtenRuns };
}

/**
 * W2 on `jobs` threads, in-process. Warm, as the 1-thread figure is: the runs go through one
 * SweepPool whose threads have each done about 3,000 runs before the timed repetitions (its workers
 * are started and JIT-warm, like this thread's runner). `cold` also times a fresh pool per repetition
 * (worker start-up and warm-up included, as one `ionflux sweep` pays them).
 */
async function w2(jobs: number, cold = false) {
  const text = readFileSync(W1_FILE, "utf8");
  const points = w2Points();
  const pool = new SweepPool({ text, file: W1_FILE, jobs });
  const sweep = async (p: SweepPool) => {
    const collected: SweepRunResult[] = [];
    await p.run({ indices: points.map((q) => q.index), setsOf: (k) => [...points[k]!.sets], batchSize: 50, onResults: (r) => collected.push(...r), stopRequested: () => false });
    return collected;
  };
  try {
    // each thread does about 3,000 runs before the timed ones, as this thread has before the
    // 1-thread figure: a thread's time per run settles only after 2,000-3,000 runs (V8 optimising
    // the once-a-run code: setting up, writing rates, the result). After one sweep a 2-thread pool's
    // threads had done 500 each, and their time per run fell from 120-125 to 94-97 µs over the next
    // 2,500 (one thread alone: 366, 194, 178, then 170-184 µs per 500 runs)
    if (!cold) for (let i = 0; i < 3 * jobs; i++) await sweep(pool);
    const times: number[] = [];
    const cpu: number[] = [];
    let checksum = NaN;
    let steps = 0;
    let failed = 0;
    for (let rep = 0; rep < reps.w2; rep++) {
      const p = cold ? new SweepPool({ text, file: W1_FILE, jobs }) : pool;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const results = await sweep(p);
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / results.length); // µs of CPU (all threads) per run
      if (cold) await p.close();
      checksum = results.reduce((s, r) => s + (r.V_final_mV ?? NaN) / 1e3, 0);
      steps = results.reduce((s, r) => s + (r.steps ?? 0), 0);
      failed = results.filter((r) => r.error).length;
    }
    const med = median(times);
    // CPU time per run over all threads: what parallel runs cost beyond one thread's (GC and JIT
    // threads, contention), read the same on a loaded machine, where wall time is shared
    return { jobs, cold, median_s: med / 1e3, runs_per_s: 1000 / (med / 1e3), spread: Math.max(...times) / Math.min(...times), cpu_us_per_run: median(cpu), checksum_V: checksum, checksum_error_V: checksum - REF.W2.checksum_V, total_steps: steps, failed };
  } finally {
    await pool.close();
  }
}

/** An `ionflux sweep` as its own process: wall time, its printed runs/s, peak RSS, and the table. */
function sweepProcess(args: string[], opts: { killAfter_s?: number; env?: Record<string, string> } = {}) {
  const rssFile = join(tmpdir(), `ionflux-bench-rss-${process.pid}`);
  rmSync(rssFile, { force: true });
  const probe = pathToFileURL(resolve("dist/bench/rssProbe.js")).href;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", probe, "bin/ionflux.js", "sweep", ...args, "--progress", "never"], {
    encoding: "utf8",
    env: { ...process.env, IONFLUX_BENCH_RSS_FILE: rssFile, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.killAfter_s !== undefined ? { timeout: Math.round(opts.killAfter_s * 1e3), killSignal: "SIGKILL" as const } : {}),
  });
  const wall_s = (performance.now() - t0) / 1e3;
  const killed = r.signal === "SIGKILL";
  if (!killed && r.status !== 0) throw new Error(`ionflux sweep ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const m = /\((\d+(?:\.\d+)?) runs\/s\)/.exec(r.stdout);
  const failed = /; (\d+) failed/.exec(r.stdout);
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : null;
  rmSync(rssFile, { force: true });
  return { wall_s, killed, runs_per_s: m ? Number(m[1]) : null, failed: failed ? Number(failed[1]) : null, max_rss_mb: rss };
}

const G_K = "channels.k-leak.conductance";
const PUMP = "pumps.pump.max-current";

/**
 * W4: W1 over a 100 x 1,000 grid and a 100,000-run seeded LHS sample through `ionflux sweep` on
 * two threads, beside W2 through the same command (max RSS, runs/s); then the sample again,
 * killed part-way (SIGKILL) and finished with --resume, must give the uninterrupted table.
 */
function w4() {
  const dir = mkdtempSync(join(tmpdir(), "ionflux-bench-w4-"));
  const common = [W1_FILE, "--jobs", "2"];
  const w2Args = [...common, "--vary", `${G_K}=0.1 mS/cm^2:1 mS/cm^2:log:25`, "--vary", `${PUMP}=0.1 uA/cm^2:2 uA/cm^2:40`];
  const w2Runs = [0, 1, 2].map(() => sweepProcess([...w2Args, "--out", join(dir, "w2")]));
  const w2_cli = {
    runs: 1000,
    runs_per_s: median(w2Runs.map((r) => r.runs_per_s ?? NaN)),
    max_rss_mb: median(w2Runs.map((r) => r.max_rss_mb ?? NaN)),
    wall_s: median(w2Runs.map((r) => r.wall_s)),
  };
  const gridArgs = [...common, "--vary", `${G_K}=0.1 mS/cm^2:1 mS/cm^2:log:100`, "--vary", `${PUMP}=0.1 uA/cm^2:2 uA/cm^2:1000`];
  const grid = { what: "100 x 1000 grid", runs: 100_000, ...sweepProcess([...gridArgs, "--out", join(dir, "grid")]) };
  const lhsArgs = [...common, "--vary", `${G_K}=0.1 mS/cm^2:1 mS/cm^2:log`, "--vary", `${PUMP}=0.1 uA/cm^2:2 uA/cm^2`, "--samples", "100000", "--lhs", "--seed", "7"];
  const lhs = { what: "100,000 LHS", runs: 100_000, ...sweepProcess([...lhsArgs, "--out", join(dir, "lhs")]) };
  // the same sample, killed at about 40% of its time, then resumed
  const killAfter = Math.max(2, 0.4 * lhs.wall_s);
  // checkpoints every second (5 s by default): killed at 40% of a 12 s sweep, the table must
  // already hold rows, or the resume would only redo the whole sweep
  const killedRun = sweepProcess([...lhsArgs, "--out", join(dir, "resumed")], { killAfter_s: killAfter, env: { IONFLUX_CHECKPOINT_MS: "1000" } });
  const csv = join(dir, "resumed", "sweep.csv");
  const rowsBefore = existsSync(csv) ? readFileSync(csv, "utf8").split("\n").length - 2 : 0;
  const resumedRun = sweepProcess([...lhsArgs, "--out", join(dir, "resumed"), "--resume"]);
  const equal = readFileSync(csv).equals(readFileSync(join(dir, "lhs", "sweep.csv")));
  const gridBytes = statSync(join(dir, "grid", "sweep.csv")).size;
  rmSync(dir, { recursive: true, force: true });
  return { w2_cli, grid: { ...grid, csv_bytes: gridBytes }, lhs, resume: { equal, killed: killedRun.killed, killed_after_s: killAfter, rows_before_resume: rowsBefore, resume_wall_s: resumedRun.wall_s } };
}

/** `--node PATH` (repeatable): another Node binary for the whole-process figure (e.g. Node 24). */
function extraNodes(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === "--node" && process.argv[i + 1]) out.push(process.argv[++i]!);
  return out;
}

/** `--only W1,W2`: run only these workloads (W1 = in-process and whole process, W2, W3, W4). */
const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? new Set(process.argv[i + 1]!.split(",").map((s) => s.trim().toUpperCase())) : null;
})();
const wants = (w: string) => only === null || only.has(w);

const fmt = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : Number(x.toPrecision(d)).toString());
const ratioOf = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b);

async function main() {
  const load0 = loadavg();
  log(`bench: ${quick ? "quick" : "full"} run; ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}); load ${load0.map((x) => x.toFixed(2)).join(" ")}`);
  log("bench: C baselines (builds them once; may install libsundials-dev)...");
  const cW1 = wants("W1") ? anchor(["cvode", "W1", String(reps.c)]) : null;
  const cW2two = wants("W2") ? anchor(["cvode", "W2", String(reps.w2), "--threads", "2"]) : null;
  const cW2one = wants("W2") ? anchor(["cvode", "W2", String(reps.w2), "--threads", "1"]) : null;
  const cW3 = wants("W3") ? anchor(["rk4", String(Math.max(3, reps.w3))]) : null;
  let w1: ReturnType<typeof w1InProcess> | null = null;
  let procs: ReturnType<typeof wholeProcess>[] = [];
  if (wants("W1")) {
    log("bench: W1 in-process...");
    w1 = w1InProcess();
    log("bench: W1 as a whole process...");
    procs = [process.execPath, ...extraNodes()].map((node) => wholeProcess(node));
  }
  let w3r: ReturnType<typeof w3> | null = null;
  if (wants("W3")) {
    log("bench: W3...");
    w3r = w3();
  }
  let w2one: Awaited<ReturnType<typeof w2>> | null = null;
  let w2two: Awaited<ReturnType<typeof w2>> | null = null;
  let w2cold: Awaited<ReturnType<typeof w2>> | null = null;
  let curve: Awaited<ReturnType<typeof w2>>[] = [];
  let ratePoints: ReturnType<typeof w2RatePoints> | null = null;
  if (wants("W2") || wants("W4")) {
    log("bench: W2 on 1 and 2 threads...");
    ratePoints = wants("W2") ? w2RatePoints() : null;
    w2one = await w2(1);
    w2two = await w2(2);
    w2cold = await w2(2, true);
    if (process.argv.includes("--curve")) {
      log("bench: W2 contention curve (--jobs beyond the cores)...");
      curve = [];
      for (const jobs of [1, 2, 3, 4, 6, 8]) curve.push(await w2(jobs));
    }
  }
  let w4r: ReturnType<typeof w4> | null = null;
  if (wants("W4")) {
    log("bench: W4 (two 100,000-run sweeps through ionflux sweep, and a kill / --resume)...");
    w4r = w4();
  }
  const load1 = loadavg();

  const checks: (Check & { row: string })[] = [];
  const rows: string[][] = [["workload", "ionflux", "baseline (same run)", "ratio", "target", "verdict", "accuracy / work"]];
  const add = (workload: string, ionflux: string, baseline: string, check: Check | null, notes: string) => {
    if (check) checks.push({ ...check, row: workload });
    rows.push([workload, ionflux, baseline, check ? (check.ratio === null ? "n/a" : `${fmt(check.ratio)}x`) : "", check ? targetText(check) : "", check ? verdict(check) : "", notes]);
  };
  if (w1) {
    add("W1 in-process", `${fmt(w1.median_ms)} ms`, cW1 ? `CVODE ${fmt(cW1.median_s! * 1e3)} ms` : "n/a", { name: "W1 in-process vs CVODE", ratio: ratioOf(w1.median_ms, cW1 ? cW1.median_s! * 1e3 : null), sense: "<=", limit: 0.7 },
      `dV ${fmt(w1.V_error_mV, 2)} mV, settle ${fmt(w1.settle_s, 6)} s (err ${fmt(w1.settle_error_s, 2)} s), ${w1.steps} steps / ${w1.rhs_evaluations} RHS (CVODE ${cW1?.steps ?? "?"} / ${cW1?.rhs_evals ?? "?"})`);
    for (const p of procs) {
      add(`W1 whole process, node ${p.node_version}`, `${fmt(p.ionflux_ms)} ms`, `node -e 0 ${fmt(p.node_e_0_ms)} ms`, { name: `W1 whole process vs node -e 0 (${p.node_version})`, ratio: p.ratio, sense: "<=", limit: 1.3 },
        `spawn to exit, median of ${reps.proc} (spread ${fmt(p.ionflux_spread, 2)})`);
    }
  }
  if (w2one && w2two) {
    add("W2 sweep, 2 threads", `${fmt(w2two.runs_per_s, 4)} runs/s`, cW2two ? `CVODE ${fmt(cW2two.runs_per_s, 4)} runs/s` : "n/a", { name: "W2 2 threads vs CVODE 2 threads", ratio: ratioOf(w2two.runs_per_s, cW2two?.runs_per_s), sense: ">=", limit: 1.0 },
      `checksum err ${fmt(w2two.checksum_error_V, 2)} V, ${w2two.failed} failed`);
    add("W2 sweep, 1 thread", `${fmt(w2one.runs_per_s, 4)} runs/s`, cW2one ? `CVODE ${fmt(cW2one.runs_per_s, 4)} runs/s` : "n/a", null, `vs CVODE 1 thread: ${fmt(ratioOf(w2one.runs_per_s, cW2one?.runs_per_s))}x`);
    add("W2 2 vs 1 thread", `${fmt(w2two.runs_per_s, 4)} / ${fmt(w2one.runs_per_s, 4)}`, cW2two && cW2one ? `CVODE ${fmt(ratioOf(cW2two.runs_per_s, cW2one.runs_per_s))}x` : "n/a", { name: "W2 2 threads vs ionflux 1 thread", ratio: ratioOf(w2two.runs_per_s, w2one.runs_per_s), sense: ">=", limit: 1.8 },
      `CPU per run ${fmt(w2two.cpu_us_per_run)} us on 2 threads, ${fmt(w2one.cpu_us_per_run)} us on 1`);
    if (w2cold) add("W2 2 threads, cold pool", `${fmt(w2cold.runs_per_s, 4)} runs/s`, "", null, `a fresh pool per sweep (worker start-up and JIT warm-up included): ${fmt(ratioOf(w2cold.runs_per_s, w2one.runs_per_s))}x the warm 1 thread`);
    if (ratePoints) {
      add("W2 rate points, 1 thread", `${fmt(ratePoints.written_runs_per_s, 4)} runs/s`, `built per point ${fmt(ratePoints.built_runs_per_s, 4)} runs/s`, null,
        `${fmt(ratioOf(ratePoints.written_runs_per_s, ratePoints.built_runs_per_s))}x; same checksum: ${ratePoints.same_checksum}; ${ratePoints.written} runs written into one model`);
    }
    for (const c of curve) add(`W2 --jobs ${c.jobs}`, `${fmt(c.runs_per_s, 4)} runs/s`, "", null, `vs 1 thread ${fmt(ratioOf(c.runs_per_s, w2one.runs_per_s))}x; CPU per run ${fmt(c.cpu_us_per_run)} us`);
  }
  if (w3r) {
    add("W3 RK4 fixed step", `${fmt(w3r.steps_per_s)} steps/s`, cW3 ? `C ${fmt(cW3.steps_per_s)} steps/s` : "n/a", { name: "W3 vs the C RK4 loop", ratio: ratioOf(w3r.steps_per_s, cW3?.steps_per_s), sense: ">=", limit: 0.6 }, `dV ${fmt(w3r.V_error_mV, 2)} mV`);
  }
  if (w4r) {
    const base = w4r.w2_cli;
    for (const s of [w4r.grid, w4r.lhs]) {
      add(`W4 ${s.what}: max RSS`, `${fmt(s.max_rss_mb)} MB`, `W2 ${fmt(base.max_rss_mb)} MB`, { name: `W4 ${s.what} max RSS vs W2`, ratio: ratioOf(s.max_rss_mb, base.max_rss_mb), sense: "<=", limit: 1.2 }, `${s.runs} runs, ${s.failed ?? "?"} failed, ${fmt(s.wall_s)} s wall`);
      // per run against W2 on 2 threads in-process (the W2 row): W2 through the CLI is mostly start-up
      const w2rate = w2two?.runs_per_s ?? null;
      add(`W4 ${s.what}: time per run`, `${fmt(1e3 / s.runs_per_s!)} ms`, `W2 ${fmt(w2rate ? 1e3 / w2rate : null)} ms`, { name: `W4 ${s.what} time per run vs W2`, ratio: ratioOf(w2rate, s.runs_per_s), sense: "<=", limit: 1.1 },
        `${fmt(s.runs_per_s, 4)} runs/s through ionflux sweep (W2 the same way: ${fmt(base.runs_per_s, 4)})`);
    }
    // equal, and from a table that had rows kept (a kill before the first checkpoint proves nothing)
    const resumed = w4r.resume.equal && w4r.resume.rows_before_resume > 0;
    add("W4 kill + --resume", w4r.resume.equal ? (resumed ? "equal" : "equal, 0 kept") : "DIFFERS", "uninterrupted sweep.csv", { name: "W4 kill + resume gives the same table", ratio: resumed ? 1 : 0, sense: ">=", limit: 1 }, `killed after ${fmt(w4r.resume.killed_after_s)} s with ${w4r.resume.rows_before_resume} rows kept`);
  }
  console.log(formatTable(rows));
  const failed = checks.filter((c) => verdict(c) === "FAIL").length;
  log(`bench: ${checks.length - failed} of ${checks.length} targets met; load ${load0.map((x) => x.toFixed(2)).join(" ")} at start, ${load1.map((x) => x.toFixed(2)).join(" ")} at end`);

  const run = {
    date: new Date().toISOString(),
    ...commitOf(),
    ionflux_version: IONFLUX_VERSION,
    node: process.version,
    quick,
    only: only ? [...only] : null,
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? null },
    load_average: { start: load0, end: load1 },
    references: REF,
    checks: checks.map((c) => ({ workload: c.row, name: c.name, ratio: c.ratio, target: targetText(c), verdict: verdict(c) })),
    W1: w1 ? { ionflux: w1, cvode: cW1, ratio: ratioOf(w1.median_ms, cW1 ? cW1.median_s! * 1e3 : null) } : null,
    W1_process: procs,
    W2: w2one && w2two ? { ionflux_2_threads: w2two, ionflux_1_thread: w2one, ionflux_2_threads_cold_pool: w2cold, cvode_2_threads: cW2two, cvode_1_thread: cW2one, rate_points_1_thread: ratePoints, ratio_2_threads: ratioOf(w2two.runs_per_s, cW2two?.runs_per_s), scaling_2_vs_1: ratioOf(w2two.runs_per_s, w2one.runs_per_s), contention_curve: curve } : null,
    W3: w3r ? { ionflux: w3r, c_rk4: cW3, ratio: ratioOf(w3r.steps_per_s, cW3?.steps_per_s) } : null,
    W4: w4r,
  };
  const n = appendHistory("output/bench.json", run);
  log(`bench: output/bench.json now holds ${n} run${n === 1 ? "" : "s"}`);
}

main().catch((e) => {
  log(`bench: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});

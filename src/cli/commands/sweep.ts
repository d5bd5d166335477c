import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ScenarioError, UsageError } from "../../errors.js";
import { envMilliseconds } from "../envMilliseconds.js";
import { prepareOutDir, removeStaleTemporaries } from "../../recording/atomicFile.js";
import { applyOverrides, checkFieldPath, parseOverride } from "../../scenario/overrides.js";
import { parseScenarioSource, readScenarioText } from "../../scenario/source.js";
import { OrderedSweepWriter, readDoneRows, readMeta, sweepHeader, sweepRow, writeMeta } from "../../sweep/output.js";
import { buildPlan, sweepSectionOf } from "../../sweep/plan.js";
import { runSweepPoints } from "../../sweep/pool.js";
import { SweepRunner, type SweepRunResult } from "../../sweep/runOne.js";
import { parseShard, positionIn, runsOf, shardRuns, shardStem } from "../../sweep/shard.js";
import { fmt } from "../format.js";
import { checkOutDir } from "../outDir.js";
import { Progress, type ProgressMode } from "../progress.js";

export interface SweepOptions {
  readonly file: string;
  readonly vary: readonly string[];
  readonly set: readonly string[];
  readonly samples?: number;
  readonly seed?: number;
  readonly lhs?: boolean;
  readonly jobs?: number;
  readonly shard?: string;
  readonly resume?: boolean;
  /** Replace a table of another sweep in DIR. */
  readonly force?: boolean;
  readonly trajectories?: boolean;
  /** --run-timeout: a run taking longer (seconds) becomes a failed row and its worker is replaced. */
  readonly runTimeout?: number;
  readonly progress: ProgressMode;
  readonly out: string;
}

/** How often a running sweep publishes its rows so far (ms). */
const CHECKPOINT_MS = envMilliseconds("IONFLUX_CHECKPOINT_MS", 5000);

/** Exit status of a sweep stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;

/**
 * After Ctrl-C (or SIGTERM), how long the runs in flight may take to end before their workers are
 * terminated (ms): a run that hangs must not keep the sweep, and its finished rows, hostage.
 */
const GRACE_MS = envMilliseconds("IONFLUX_SWEEP_GRACE_MS", 2000);

/**
 * `ionflux sweep FILE`: the grid (or seeded sample) of runs on `jobs` threads. Rows stream to
 * DIR/sweep.csv in run order; a failed run is a row with its error; Ctrl-C leaves a valid partial
 * table that `--resume` completes; `--shard K/N` runs a round-robin share into
 * DIR/sweep.shard-K-of-N.csv for `ionflux merge`. Returns the exit status.
 */
export async function sweepCommand(opts: SweepOptions, print: (line: string) => void): Promise<number> {
  checkOutDir(opts.out, "sweep");
  if (opts.resume && opts.force) throw new UsageError("--resume keeps the table's rows and --force replaces it: give one of them");
  const text = readScenarioText(opts.file);
  const section = sweepSectionOf(parseScenarioSource(text, opts.file));
  const useCli = opts.vary.length > 0;
  const sampled = (useCli ? opts.samples : (opts.samples ?? section.samples)) !== undefined;
  for (const [flag, given] of [["--seed", opts.seed !== undefined], ["--lhs", opts.lhs !== undefined]] as const) {
    if (given && !sampled) throw new UsageError(`${flag} applies to a random sample: add --samples N (a grid of --vary values has no seed or design)`);
  }
  for (const v of opts.vary) checkFieldPath(v.slice(0, Math.max(0, v.indexOf("="))), `--vary ${v}`);
  const plan = buildPlan(text, {
    vary: useCli ? opts.vary : (section.vary ?? []),
    set: opts.set,
    ...((useCli ? opts.samples : (opts.samples ?? section.samples)) !== undefined ? { samples: (useCli ? opts.samples : (opts.samples ?? section.samples))! } : {}),
    ...((opts.seed ?? section.seed) !== undefined ? { seed: (opts.seed ?? section.seed)! } : {}),
    latinHypercube: opts.lhs ?? section.latinHypercube ?? false,
  });
  // a point's own sets; the --set ones go to every run as the runner's base sets (applied first)
  const setsOf = (k: number) => plan.valuesAt(k).map((v, i) => `${plan.columns[i]}=${v}`);
  const nameFlag = varyLabeller(parseScenarioSource(text, opts.file).tree, plan.columns);
  // a bad scenario or path fails once, clearly, up front (the first run's overrides)
  let scenario;
  try {
    scenario = new SweepRunner(text, opts.file, opts.set).scenario(setsOf(0));
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.file, e.fieldPath, nameFlag(e.detail, e.fieldPath), e.line);
    if (e instanceof UsageError) throw new UsageError(nameFlag(e.message, ""));
    throw e;
  }

  const shard = parseShard(opts.shard);
  const runs = shardRuns(plan.total, shard);
  const stem = shardStem(shard);
  prepareOutDir(opts.out);
  removeStaleTemporaries(opts.out);
  const csvPath = join(opts.out, `${stem}.csv`);
  const metaPath = join(opts.out, `${stem}.meta.json`);
  const parameters = plan.parameters;
  // a volume column when the cell may move water (in the base scenario or by a varied permeability)
  const water = scenario.cell.waterPermeability > 0 || plan.columns.some((c) => c.startsWith("cell.water-permeability"));
  const header = sweepHeader(parameters, water);
  if (!opts.resume && !opts.force) refuseForeignTable(csvPath, metaPath, plan.id);
  const done = opts.resume ? readDoneRows(csvPath, metaPath, plan.id, header) : new Map<number, string>();
  // the runs still to do, generated as they are handed out (a 10^8-run grid is never a list)
  let doneHere = 0;
  for (const k of done.keys()) if (positionIn(runs, k) >= 0) doneHere++;
  const todoCount = runs.count - doneHere;
  const todo = runsOf(runs, done.size > 0 ? (k) => done.has(k) : undefined);
  const trajectoryDir = opts.trajectories ? join(opts.out, `${stem}.runs`) : undefined;
  if (trajectoryDir) mkdirSync(trajectoryDir, { recursive: true });

  const writer = new OrderedSweepWriter(csvPath, header, runs);
  for (const [k, line] of done) writer.add(k, line);
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), todoCount || 1));
  const progress = new Progress(todoCount, opts.progress, scenario.name);
  // the first Ctrl-C or SIGTERM stops handing out runs and gives those in flight GRACE_MS to end;
  // then, or at a second signal, their workers are terminated. Either way the rows done are written.
  const stop = new AbortController();
  const kill = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  const onInterrupt = () => {
    if (stop.signal.aborted) {
      kill.abort();
      return;
    }
    stop.abort();
    grace = setTimeout(() => kill.abort(), GRACE_MS);
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  let writeFailure: unknown;
  let finished = 0;
  let failed = 0;
  let lastCheckpoint = performance.now();
  const started = performance.now();
  const record = (results: readonly SweepRunResult[]): void => {
    for (const r of results) {
      if (r.error !== undefined) failed++;
      writer.add(r.index, sweepRow(r.index, plan.parameterText(r.index), r.error === undefined ? r : { ...r, error: nameFlag(r.error, "") }, water));
    }
    finished += results.length;
    progress.update(finished);
    // every few seconds the rows so far become sweep.csv: a SIGKILL loses at most that much
    if (performance.now() - lastCheckpoint > CHECKPOINT_MS) {
      lastCheckpoint = performance.now();
      // the identity first: a table without it could not be resumed
      writeMeta(metaPath, { sweep_id: plan.id, total_runs: plan.total, shard: shard ? { index: shard.index, count: shard.count } : null, runs_expected: runs.count, runs_done: writer.rowsInOrder, complete: false });
      writer.checkpoint();
    }
  };
  try {
    await runSweepPoints({
      text,
      file: opts.file,
      indices: todo,
      count: todoCount,
      setsOf,
      baseSets: opts.set,
      jobs,
      // every run on a worker: this thread stays free for signals, the timeout and the rows
      threadRuns: false,
      ...(opts.runTimeout !== undefined ? { runTimeout: opts.runTimeout } : {}),
      ...(trajectoryDir ? { trajectoryDir } : {}),
      onResults: (results) => {
        if (writeFailure) return;
        try {
          record(results);
        } catch (e) {
          // a full disk while writing rows: stop handing out runs, and report it once the pool is done
          writeFailure = e;
          stop.abort();
        }
      },
      stop: stop.signal,
      kill: kill.signal,
    });
    if (writeFailure) throw writeFailure;
  } catch (e) {
    writer.discard();
    process.removeListener("SIGINT", onInterrupt);
    process.removeListener("SIGTERM", onInterrupt);
    throw e;
  } finally {
    clearTimeout(grace);
    progress.finish();
  }
  let rows: number;
  let complete: boolean;
  try {
    rows = writer.close();
    complete = rows === runs.count;
    writeMeta(metaPath, {
      sweep_id: plan.id,
      total_runs: plan.total,
      shard: shard ? { index: shard.index, count: shard.count } : null,
      runs_expected: runs.count,
      runs_done: rows,
      complete,
    });
  } finally {
    // only now: without a listener, a signal while the table is written would end the process there
    process.removeListener("SIGINT", onInterrupt);
    process.removeListener("SIGTERM", onInterrupt);
  }
  const seconds = (performance.now() - started) / 1e3;
  const what = `${plan.description}${shard ? `, shard ${shard.index}/${shard.count}` : ""}`;
  if (!complete) {
    print(`${scenario.name}: interrupted: ${rows} of ${runs.count} runs kept in ${csvPath} (${what}); run the same command with --resume to do the other ${runs.count - rows}`);
    return INTERRUPTED;
  }
  print(
    `${scenario.name}: ${runs.count} runs (${what}; ${failed} failed${done.size ? `, ${done.size} kept from before` : ""}) on ${jobs} thread${jobs > 1 ? "s" : ""} ` +
      `in ${fmt(seconds, 3)} s (${fmt(todoCount / seconds, 4)} runs/s) -> ${csvPath}`,
  );
  return 0;
}

/**
 * A new sweep into a directory that holds another sweep's table would silently replace it (maybe
 * 40,000 rows): refuse, naming the way out. The same sweep's own table (same scenario, overrides
 * and parameters) may be written again: it gives the same rows.
 */
function refuseForeignTable(csvPath: string, metaPath: string, sweepId: string): void {
  if (!existsSync(csvPath)) return;
  const meta = readMeta(metaPath);
  if (meta?.sweep_id === sweepId) return;
  const rows = readFileSync(csvPath, "utf8").split("\n").filter((l) => l !== "").length - 1;
  throw new UsageError(
    `${csvPath} holds another sweep's table (${rows} row${rows === 1 ? "" : "s"}${meta ? "" : ", no sweep.meta.json"}); give --out with another directory, --force to replace it, or --resume to complete it if it is this sweep's`,
    false,
  );
}

/**
 * Messages about a varied value name --vary, not --set: the scenario reader and --set's parser
 * say "(set with --set)" and "--set PATH=VALUE: …" of every command-line value, and a sweep's
 * varied values reach them as --set overrides. `fieldPath` is the ScenarioError's (canonical,
 * `channels[1].conductance`), or "" to find it in the message.
 */
function varyLabeller(tree: unknown, columns: readonly string[]): (message: string, fieldPath: string) => string {
  const canonical = new Set<string>();
  for (const c of columns) {
    try {
      for (const p of applyOverrides(tree, [parseOverride(`${c}=0`)]).paths) canonical.add(p);
    } catch {
      // a path that does not exist: its own message names it
    }
  }
  return (message, fieldPath) => {
    if (message.startsWith("--set ") && columns.some((c) => message.startsWith(`--set ${c}=`))) return `--vary ${message.slice("--set ".length)}`;
    if (!message.includes("(set with --set)")) return message;
    const varied = [...canonical].some((p) => fieldPath === p || fieldPath.startsWith(`${p}.`) || message.includes(`: ${p}: `) || message.startsWith(`${p}: `));
    return varied ? message.replace("(set with --set)", "(set with --vary)") : message;
  };
}

/** --jobs beyond this many per core only adds threads that wait (and memory): refused. */
export const JOBS_PER_CORE = 8;

export function checkJobs(jobs: number | undefined, cores = availableParallelism()): void {
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number >= 1, got ${jobs}`);
  const max = JOBS_PER_CORE * cores;
  if (jobs !== undefined && jobs > max) throw new UsageError(`--jobs ${jobs}: at most ${max} (${JOBS_PER_CORE} per core, ${cores} cores here)`);
}

/**
 * --run-timeout SECONDS: a positive, finite number; `given` says the flag is on the command line
 * (yargs gives a flag without a value as undefined). A repeated one is refused with the other
 * single-value options.
 */
export function checkRunTimeout(seconds: unknown, given = seconds !== undefined): void {
  if (Array.isArray(seconds)) return;
  if (given && seconds === undefined) throw new UsageError("--run-timeout needs a number of seconds, like 30 or 0.5");
  if (seconds !== undefined && !(typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0)) {
    throw new UsageError(`--run-timeout must be a positive number of seconds, like 30 or 0.5, got ${Number.isNaN(seconds) ? "a value that is not a number" : String(seconds)}`);
  }
}

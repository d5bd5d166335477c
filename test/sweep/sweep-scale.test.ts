import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { OrderedSweepWriter } from "../../src/sweep/output.js";
import { positionIn, runsOf, shardRuns } from "../../src/sweep/shard.js";

/**
 * Issue 15 ("Trust, round 2"): a sweep's runs are never listed, so its memory does not
 * grow with its size, and a Latin hypercube too large to hold is refused. Each test names the
 * deliberate bugs it was seen to fail under.
 */

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-scale-"));
/** A CLI run; killed (SIGKILL) if it outlives `timeout` ms. */
const ionflux = (args: string[], timeout = 90_000) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8", timeout, killSignal: "SIGKILL" });
const rowsOf = (csv: string): string[][] => parse(readFileSync(csv, "utf8"));
const metaOf = (d: string) => JSON.parse(readFileSync(join(d, "sweep.meta.json"), "utf8")) as { complete: boolean; runs_done: number; runs_expected: number };

describe("the runs of a sweep are generated, never listed", () => {
  // Seen failing: with count = Math.floor((total - first) / stride), shard 1/3 of 10 lost run 9
  // (and shard 3/3 run 8); with positionIn not checking the stride, run 5 was at position 1.33 of
  // shard 2/3.
  it("a shard is first, stride and count; its runs come in order, done ones skipped", () => {
    expect(shardRuns(10, null)).toEqual({ first: 0, stride: 1, count: 10 });
    expect([1, 2, 3].map((k) => [...runsOf(shardRuns(10, { index: k, count: 3 }))])).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shardRuns(2, { index: 3, count: 3 }).count).toBe(0);
    expect(shardRuns(0, null).count).toBe(0);
    const shard = shardRuns(10, { index: 2, count: 3 });
    expect([1, 4, 7, 5, 10, 0, -2, 1.5].map((k) => positionIn(shard, k))).toEqual([0, 1, 2, -1, -1, -1, -1, -1]);
    expect([...runsOf(shard, (k) => k === 4)]).toEqual([1, 7]);
    // 10⁸ runs: a description, and a generator read as far as asked
    const big = shardRuns(100_000_000, { index: 7, count: 16 });
    expect(big).toEqual({ first: 6, stride: 16, count: 6_250_000 });
    const it = runsOf(big);
    expect([it.next().value, it.next().value]).toEqual([6, 22]);
  });

  // Seen failing: with the writer's next run stepping by 1 instead of the stride, rows after a
  // shard's first waited in its buffer (1 row in order where 2 were due) and reached the file only
  // at close, in no checkpoint.
  it("the writer puts a shard's rows in run order as they come, from its range alone", () => {
    const d = dir();
    const path = join(d, "sweep.shard-2-of-3.csv");
    const w = new OrderedSweepWriter(path, ["run", "x"], shardRuns(10, { index: 2, count: 3 }));
    w.add(4, "4,b\n");
    expect(w.rowsInOrder).toBe(0);
    w.add(1, "1,a\n");
    expect(w.rowsInOrder).toBe(2);
    w.checkpoint();
    expect(readFileSync(path, "utf8")).toBe("run,x\n1,a\n4,b\n");
    w.add(7, "7,c\n");
    expect(w.close()).toBe(3);
    expect(readFileSync(path, "utf8")).toBe("run,x\n1,a\n4,b\n7,c\n");
  });

  // Seen failing: with the buffer's fill counted in characters rather than UTF-8 bytes (rows of
  // "é" overran the 64 kB buffer and were cut), with the row that fills the buffer dropped instead
  // of written after the flush, and with a row longer than the buffer written before the rows
  // already in it.
  it("the writer's byte buffer keeps every row whole and in order, across flushes, multi-byte text and a row longer than the buffer", () => {
    const d = dir();
    const path = join(d, "sweep.csv");
    const n = 3000;
    const line = (k: number) => (k === 1234 ? `${k},${"x".repeat(100_000)}\n` : `${k},${"é".repeat(k % 97)}ü,${k * 0.1}\n`);
    const w = new OrderedSweepWriter(path, ["run", "x"], shardRuns(n, null));
    // in pairs, the later one first: half the rows wait for the one before them
    for (let k = 0; k < n; k += 2) {
      if (k + 1 < n) w.add(k + 1, line(k + 1));
      w.add(k, line(k));
    }
    expect(w.close()).toBe(n);
    let want = "run,x\n";
    for (let k = 0; k < n; k++) want += line(k);
    expect(readFileSync(path, "utf8") === want).toBe(true);
    // rows of 64 bytes: the 1,024th fills the buffer to its last byte
    const exact = join(d, "exact.csv");
    const row = (k: number) => `${String(k).padStart(6, "0")},${"y".repeat(56)}\n`;
    const w2 = new OrderedSweepWriter(exact, ["run", "y"], shardRuns(2100, null));
    for (let k = 0; k < 2100; k++) w2.add(k, row(k));
    expect(w2.close()).toBe(2100);
    expect(readFileSync(exact, "utf8") === `run,y\n${Array.from({ length: 2100 }, (_, k) => row(k)).join("")}`).toBe(true);
  });

  /** Peak resident memory (VmHWM, MB) of a running process, as /proc says. */
  const peakMb = (pid: number) => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0; // it has ended
    }
  };

  // Seen failing: with the runs listed again (an array of the 10⁸, and todo = runs.filter(...)),
  // the peak was 2.9 GB (3.6 GB before this change, when the writer held the list too).
  it.runIf(process.platform === "linux")("a 10⁴ x 10⁴ grid (10⁸ runs) runs in a small sweep's memory, and Ctrl-C ends it with its rows", async () => {
    const d = dir();
    const args = ["bin/ionflux.js", "sweep", "sims/bench/w1-run-down.yaml", "--jobs", "1", "--progress", "never", "--out", d,
      "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:10000", "--vary", "pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:10000"];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, IONFLUX_CHECKPOINT_MS: "200" } });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b));
    let peak = 0;
    const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    // running: its first checkpoint (rows done) is on disk; then about 2 s more of runs
    const started = performance.now();
    while (!existsSync(join(d, "sweep.csv")) && performance.now() - started < 60_000) {
      peak = Math.max(peak, peakMb(child.pid!));
      await new Promise((r) => setTimeout(r, 100));
    }
    for (let i = 0; i < 20; i++) {
      peak = Math.max(peak, peakMb(child.pid!));
      await new Promise((r) => setTimeout(r, 100));
    }
    peak = Math.max(peak, peakMb(child.pid!));
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    clearTimeout(guard);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(400);
    const rows = rowsOf(join(d, "sweep.csv"));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(rows.slice(1).map((_, k) => k));
    expect(metaOf(d)).toMatchObject({ complete: false, runs_expected: 100_000_000, runs_done: rows.length - 1 });
    expect(stdout).toMatch(new RegExp(`: interrupted.* ${rows.length - 1} of 100000000 runs`));
  }, 120_000);

  // Seen failing: without the limit, --samples 100000000 --lhs began drawing its two 0.4 GB
  // permutations (still at it when killed at 30 s).
  it("a Latin hypercube above 10⁷ runs is refused in one line that suggests random sampling (exit 2)", () => {
    const d = dir();
    const r = ionflux(["sweep", "sims/k-nernst.yaml", "--samples", "100000000", "--lhs", "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2", "--vary", "temperature=30 degC:37 degC", "--out", d], 30_000);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(/^ionflux: --samples 100000000 with --lhs .*0\.80 GB here.* at most 10000000 runs; drop --lhs for random sampling/);
    expect(existsSync(join(d, "sweep.csv"))).toBe(false);
  });
});

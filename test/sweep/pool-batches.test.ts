import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BATCHES_AHEAD, nextBatchSize } from "../../src/sweep/pool.js";

/**
 * Issue 14 (speed, round 2): how a sweep's runs go out to the workers and come back. Each test
 * names the deliberate bug it was seen to fail under.
 */

/**
 * The pool's schedule on threads of the given speeds (time per run): each holds up to
 * BATCHES_AHEAD batches and is topped up when one ends. When each thread ends its last run.
 */
function finishTimes(count: number, batchSize: number, perRun: number[], size = nextBatchSize): number[] {
  let handed = 0;
  const held = perRun.map(() => [] as number[]);
  const clock = perRun.map(() => 0);
  const topUp = (i: number) => {
    while (held[i]!.length < BATCHES_AHEAD && handed < count) {
      const n = Math.min(size(count - handed, batchSize, perRun.length), count - handed);
      handed += n;
      held[i]!.push(n);
    }
  };
  perRun.forEach((_, i) => topUp(i));
  for (;;) {
    // the thread whose current batch ends first takes its next
    let next = -1;
    for (let i = 0; i < perRun.length; i++) if (held[i]!.length > 0 && (next < 0 || clock[i]! + held[i]![0]! * perRun[i]! < clock[next]! + held[next]![0]! * perRun[next]!)) next = i;
    if (next < 0) return clock;
    clock[next]! += held[next]!.shift()! * perRun[next]!;
    topUp(next);
  }
}

describe("a sweep's batches", () => {
  // Seen failing: with every batch at full size (nextBatchSize returning batchSize) the threads
  // ended 12.5-65 runs' time apart (1,030 runs in batches of 50 on two threads, one 25% slower:
  // 17.5); shrinking, 0.5-7 (at most 3.5 runs of the slowest thread).
  it("shrink at the end, so that the threads end together whatever their speeds", () => {
    for (const [count, perRun] of [
      [1030, [1, 1.25]],
      [1000, [1, 1]],
      [100_000, [1, 1.1, 0.9, 1.3]],
      [137, [1, 2]],
      [1000, [1, 1.25]],
      [5000, [1, 1.1, 0.9, 1.3]],
    ] as const) {
      const t = finishTimes(count, 50, [...perRun]);
      const slowest = Math.max(...perRun);
      expect(Math.max(...t) - Math.min(...t), `${count} runs on ${perRun.join("/")}`).toBeLessThanOrEqual(4 * slowest);
    }
    expect([nextBatchSize(1000, 50, 2), nextBatchSize(150, 50, 2), nextBatchSize(3, 50, 2), nextBatchSize(Number.POSITIVE_INFINITY, 25, 2)]).toEqual([50, 38, 1, 25]);
  });

  // Seen failing: with a worker posting each result as its own message (as before), 200 W1 runs
  // came back in 200 messages (they cost about 20 µs a run on each side). 2,000 runs, not 200: a
  // worker posts what it holds every POST_EVERY_MS (2 ms then, 10 ms now), so a cold worker's first
  // runs (1-5 ms each, before the JIT) went one a message; with 200 runs on a loaded machine that alone was 106
  // messages (CI, 2026-12-04). Here the per-run bug gives exactly 2,000, grouping some hundreds.
  it("come back a few results a message, each run exactly once", () => {
    const pool = resolve("dist/sweep/pool.js");
    const script = `
      import { readFileSync } from "node:fs";
      const { runSweepPoints } = await import(${JSON.stringify(pool)});
      const file = "sims/bench/w1-run-down.yaml";
      const seen = [];
      let messages = 0;
      await runSweepPoints({ text: readFileSync(file, "utf8"), file, indices: Array.from({ length: 2000 }, (_, k) => k),
        setsOf: (k) => ["channels.k-leak.conductance=" + (0.1 + k / 1000) + " mS/cm^2"], jobs: 2, threadRuns: false, batchSize: 25,
        onResults: (r) => { messages++; for (const x of r) seen.push(x.error ?? x.index); } });
      console.log(JSON.stringify({ messages, seen }));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const { messages, seen } = JSON.parse(r.stdout) as { messages: number; seen: (number | string)[] };
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 2000 }, (_, k) => k));
    // 216 here (2026-12-04, 2 cores, results every 10 ms and a batch's last ones with its end; 553
    // when they went every 2 ms): a warm run is 0.2-0.4 ms, so up to a batch (25) a message, and the cold first
    // runs a few a message; each run on its own gives 2,000. The bound sits between them, far
    // enough above 216 for a loaded CI machine, whose slower runs are grouped fewer a message.
    expect(messages).toBeLessThan(1000);
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Issue 14, item 3: a long sweep runs in flat memory. Its peak resident set (all threads) is held
 * near a short sweep's: `ionflux sweep` asks V8 for small heap growth steps (src/cli/sweepHeap.ts)
 * before it starts its workers. Measured here on 2 threads: 40,000 runs of W1 peak at 114-115 MB
 * against 94-98 MB for 1,000 (1.17-1.22x); without the flag at 141-142 MB against 101-102 MB
 * (1.39-1.40x), which this test fails.
 */
const probe = pathToFileURL(resolve("dist/bench/rssProbe.js")).href;

function peakRss_MB(runsPerAxis: [number, number]): number {
  const dir = mkdtempSync(join(tmpdir(), "ionflux-mem-"));
  const rssFile = join(dir, "rss");
  const r = spawnSync(process.execPath, ["--import", probe, "bin/ionflux.js", "sweep", "sims/bench/w1-run-down.yaml", "--jobs", "2", "--progress", "never", "--out", join(dir, "out"),
    "--vary", `channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:${runsPerAxis[0]}`, "--vary", `pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:${runsPerAxis[1]}`],
  { encoding: "utf8", env: { ...process.env, IONFLUX_BENCH_RSS_FILE: rssFile }, timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const kib = Number(readFileSync(rssFile, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  return kib / 1024;
}

describe("a long sweep's memory stays near a short one's", () => {
  it("40,000 runs peak within 1.3x of 1,000 runs' resident set", () => {
    const short = peakRss_MB([25, 40]);
    const long = peakRss_MB([100, 400]);
    expect(long / short, `${long.toFixed(0)} MB against ${short.toFixed(0)} MB`).toBeLessThan(1.3);
  }, 300_000);
});

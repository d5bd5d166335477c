import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * Real cluster tests (slow, and they may apt-get install slurm-wlm, munge and parallel): run in CI
 * (CI=true, as .ci/run does) or with IONFLUX_SLOW=1 (npm run test:slow), as root.
 */
const enabled = (process.env.CI === "true" || process.env.IONFLUX_SLOW === "1") && process.getuid?.() === 0;
const SWEEP = ["--vary", "channels.k-leak.conductance=0.1 mS/cm^2:2 mS/cm^2:log:6", "--vary", "ions.K.outside=3 mM,5 mM,8 mM", "--set", "run.duration=0.05 s"];

describe.skipIf(!enabled)("sweeps on a cluster (slow)", () => {
  it("a single-node Slurm: a job array of 3 shards plus a dependent merge job equals the unsharded sweep.csv", () => {
    const r = spawnSync("bash", ["test/cluster/slurm.sh", "sims/neuron-chord.yaml", "3", "--", ...SWEEP], { encoding: "utf8", timeout: 600_000 });
    expect(r.stderr.slice(-2000) + r.stdout).toContain("sweep.csv identical to the unsharded run (18 runs)");
    expect(r.status).toBe(0);
    // every daemon the test started is gone (zombies awaiting their reaper are dead already)
    const alive = () => spawnSync("bash", ["-c", "ps -eo stat=,comm= | awk '$1 !~ /^Z/ && ($2 == \"slurmctld\" || $2 == \"slurmd\" || $2 == \"munged\")'"], { encoding: "utf8" }).stdout.trim();
    for (let i = 0; i < 50 && alive() !== ""; i++) spawnSync("sleep", ["0.1"]);
    expect(alive()).toBe("");
  }, 600_000);

  it("GNU parallel: 4 shards on 2 slots, then merge, equals the unsharded sweep.csv", () => {
    const r = spawnSync("bash", ["test/cluster/parallel.sh", "sims/neuron-chord.yaml", "4", "--", ...SWEEP], { encoding: "utf8", timeout: 600_000 });
    expect(r.stderr.slice(-2000) + r.stdout).toContain("sweep.csv identical to the unsharded run (18 runs)");
    expect(r.status).toBe(0);
  }, 600_000);
});

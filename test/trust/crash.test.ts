import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { machineTagOf } from "../../src/recording/atomicFile.js";

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-crash-"));
const ionflux = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8", env });

/** Starts ionflux and SIGKILLs it after `ms` milliseconds (or lets it finish first). */
async function killAfter(args: string[], ms: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const child = spawn(process.execPath, ["bin/ionflux.js", ...args], { stdio: "ignore", env });
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  await new Promise((resolve) => child.on("close", resolve));
  clearTimeout(timer);
}

describe("crash safety: SIGKILL at random moments", () => {
  it("a killed run leaves complete files or none, and the next run removes its temporary files", async () => {
    const random = seedrandom("kill");
    const out = dir();
    // a long trajectory, so that kills land while rows are being written
    const args = ["run", "sims/hh-squid-train.yaml", "--set", "run.record-every=0.002 ms", "--out", out];
    for (let trial = 0; trial < 6; trial++) {
      await killAfter(args, 150 + 900 * random());
      for (const name of readdirSync(out).filter((f) => !f.startsWith("."))) {
        const text = readFileSync(join(out, name), "utf8");
        if (name.endsWith(".csv")) {
          const rows: string[][] = parse(text);
          expect(Number(rows.at(-1)![0])).toBeCloseTo(0.6, 12); // the whole 600 ms, not a prefix
        } else {
          expect(JSON.parse(text).name).toBe("hh-squid-train");
        }
      }
    }
    // the next run, whatever it does, first clears the dead runs' temporary files
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    writeFileSync(join(out, `.ghost.csv.tmp-${machineTagOf()}-${dead}-0123456789ab`), "half a row");
    expect(ionflux(["run", "sims/k-nernst.yaml", "--out", out]).status).toBe(0);
    expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  }, 120_000);

  it("a killed sweep resumes to the same sweep.csv as an uninterrupted one", async () => {
    const args = ["sweep", "sims/bench/w1-run-down.yaml", "--vary", "channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:60", "--vary", "pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:40", "--jobs", "2", "--progress", "never"];
    const [whole, cut] = [dir(), dir()];
    expect(ionflux([...args, "--out", whole]).status).toBe(0);
    const env = { ...process.env, IONFLUX_CHECKPOINT_MS: "100" };
    await killAfter([...args, "--out", cut], 900, env);
    const checkpointed = existsSync(join(cut, "sweep.csv"));
    if (checkpointed) {
      const partial: string[][] = parse(readFileSync(join(cut, "sweep.csv"), "utf8"));
      expect(partial.every((row) => row.length === partial[0]!.length)).toBe(true);
    }
    const resumed = ionflux([...args, "--out", cut, "--resume"]);
    expect(resumed.status).toBe(0);
    if (checkpointed) expect(resumed.stdout).toMatch(/kept from before/);
    expect(readFileSync(join(cut, "sweep.csv"), "utf8")).toBe(readFileSync(join(whole, "sweep.csv"), "utf8"));
  }, 120_000);
});

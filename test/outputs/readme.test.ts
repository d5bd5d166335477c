import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";

/**
 * The README's examples, run as a user would paste them (in a fresh directory holding sims/), and
 * its claims checked against what the program prints and writes. Commands that need a cluster
 * (sbatch, kubectl, aws, GNU parallel: test/cluster/ runs those for real), the job-array variables
 * they set, or npm (the suite itself) are left out; every other `npx ionflux` / `node bin/ionflux.js`
 * line of every ```sh block runs and must exit 0.
 */
const repo = resolve(".");
const readme = readFileSync("README.md", "utf8");

function readmeCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands: string[] = [];
  for (const block of blocks) {
    const lines = block.replace(/\\\n\s*/g, " ").split("\n");
    for (const line of lines) {
      const cmd = line.trim();
      if (!/^(npx ionflux|node bin\/ionflux\.js) /.test(cmd)) continue;
      if (/\$|\{\}|shard-\*/.test(cmd)) continue; // a job array's variables, GNU parallel's placeholder, the merge of their shards
      commands.push(cmd.replace(/^npx ionflux|^node bin\/ionflux\.js/, `node ${join(repo, "bin/ionflux.js")}`));
    }
  }
  return commands;
}

describe("README.md", () => {
  it("every ionflux command of its sh blocks runs (exit 0), and no run it shows ends 'not converged'", () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(12); // 13 today
    const dir = mkdtempSync(join(tmpdir(), "ionflux-readme-"));
    symlinkSync(join(repo, "sims"), join(dir, "sims"));
    const run = (cmd: string) => spawnSync("bash", ["-c", cmd], { cwd: dir, encoding: "utf8", timeout: 120_000 });
    // in README order; a command that reads what a later block writes (plot results/sweep.csv) is run again at the end
    const failed: string[] = [];
    const outputs: string[] = [];
    for (const cmd of commands) {
      const r = run(cmd);
      if (r.status !== 0) failed.push(cmd);
      else outputs.push(r.stdout);
    }
    const stillFailing = failed.map((cmd) => ({ cmd, r: run(cmd) })).filter(({ r }) => r.status !== 0);
    expect(stillFailing.map(({ cmd, r }) => `${cmd}: ${r.stderr.trim()}`)).toEqual([]);
    // iv-protocol is clamped, and pump-leak-swell shows a cell that keeps swelling for weeks once
    // its pump stops (its line says how fast vol_in still changes): neither can converge
    const unsettled = /^(iv-protocol|pump-leak-swell):/;
    const runLines = outputs.join("").split("\n").filter((l) => / mV, E_rev = /.test(l) && !unsettled.test(l));
    expect(runLines.length).toBeGreaterThanOrEqual(5);
    expect(runLines.filter((l) => l.includes("not converged"))).toEqual([]);
  }, 300_000);

  it("the line it says npm start prints is what npm start prints (but the wall time)", () => {
    const shown = /\n(squid-axon-ghk: V = [^\n]*)\n/.exec(readme)![1]!;
    const dir = mkdtempSync(join(tmpdir(), "ionflux-readme-"));
    const start = JSON.parse(readFileSync("package.json", "utf8")).scripts.start as string;
    const r = spawnSync("bash", ["-c", start.replace("node bin/ionflux.js", `node ${join(repo, "bin/ionflux.js")}`).replace("--out output", `--out ${dir}`)], { encoding: "utf8", timeout: 120_000 });
    const printed = r.stdout.split("\n").find((l) => l.startsWith("squid-axon-ghk:"))!;
    const wallTime = (s: string) => s.replace(/steps, [\d.]+ ms -> .*$/, "steps, (time) ms");
    expect(wallTime(printed)).toBe(wallTime(shown));
  }, 180_000);

  it("its Donnan claim: V meets E_rev within milliseconds, E_K and E_Cl meet V within minutes", () => {
    expect(readme).toMatch(/within milliseconds V meets E_rev, then within about five minutes K⁺ and Cl⁻\s+redistribute until E_K = E_Cl = V/);
    const dir = mkdtempSync(join(tmpdir(), "ionflux-readme-"));
    expect(spawnSync(process.execPath, ["bin/ionflux.js", "run", "sims/donnan.yaml", "--out", dir]).status).toBe(0);
    const rows: Record<string, string>[] = parse(readFileSync(join(dir, "donnan.csv"), "utf8"), { columns: true });
    const at = (pred: (r: Record<string, string>) => boolean) => Number(rows.find(pred)!["t [s]"]);
    const gap = (r: Record<string, string>, a: string, b: string) => Math.abs(Number(r[a]) - Number(r[b]));
    // V within 0.1 mV of E_rev: milliseconds
    expect(at((r) => gap(r, "V [mV]", "E_rev [mV]") < 0.1)).toBeLessThan(0.1);
    // E_K and E_Cl within 0.1 mV of V: minutes (between 1 and 10)
    const donnan = at((r) => gap(r, "E_K [mV]", "V [mV]") < 0.1 && gap(r, "E_Cl [mV]", "V [mV]") < 0.1);
    expect(donnan).toBeGreaterThan(60);
    expect(donnan).toBeLessThan(600);
  }, 120_000);
});

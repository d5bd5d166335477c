import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K } from "../../src/physics/constants.js";

/**
 * The package as users get it: `npm pack` (of the dist/ that `npm test` has just built), the
 * tarball installed into an empty project, `npx ionflux run` there, and the README's TypeScript
 * program type-checked against the installed .d.ts and run.
 */
const repo = resolve(".");
const sh = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });

/** The ```ts block of the README's "## Library" section. */
function readmeProgram(): string {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("\n## Library"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("README.md: no ```ts block under ## Library");
  return m[1]!;
}

describe("npm pack, install, CLI and library", () => {
  it("the tarball carries dist/ and its types; installed, its CLI runs and the README's program type-checks and runs", () => {
    const work = mkdtempSync(join(tmpdir(), "ionflux-pack-"));
    const pack = sh("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], repo);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    const listing = sh("tar", ["-tzf", tarball], work).stdout.split("\n");
    for (const f of ["package/dist/ionflux.mjs", "package/dist/index.js", "package/dist/index.d.ts", "package/bin/ionflux.js", "package/docs/scenario-format.md", "package/sims/k-nernst.yaml"]) expect(listing).toContain(f);
    expect(listing.some((f) => f.startsWith("package/test/") || f.startsWith("package/src/"))).toBe(false);

    const project = join(work, "project");
    sh("mkdir", ["-p", project], work);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-ionflux", version: "1.0.0", type: "module", private: true }));
    const install = sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
    expect(install.status, install.stderr).toBe(0);

    const run = sh("npx", ["--no-install", "ionflux", "run", "node_modules/ionflux/sims/k-nernst.yaml", "--out", "out"], project);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^k-nernst: V = -89\.\d+ mV/);
    expect(existsSync(join(project, "out", "k-nernst.csv"))).toBe(true);

    // the README's program, compiled by this repository's TypeScript against the installed types only
    writeFileSync(join(project, "main.ts"), readmeProgram());
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, types: ["node"], typeRoots: [join(repo, "node_modules/@types")], skipLibCheck: false, outDir: "." },
      files: ["main.ts"],
    }));
    const tsc = sh(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project);
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const program = sh(process.execPath, ["main.js"], project);
    expect(program.status, program.stderr).toBe(0);
    const lines = program.stdout.trim().split("\n");
    const [, V, E] = /^V_final (\S+) mV, E_K (\S+) mV, converged true$/.exec(lines[0]!)!.map(Number);
    // one permeant ion: V ends at E_K of the final concentrations (the stop rule bounds |V − E_K| by 1e-6 mV)
    expect(Math.abs(V! - E!)).toBeLessThan(1e-5);
    expect(V!).toBeCloseTo(-89.05, 1);
    const sweepV = lines.slice(1).map((l) => Number(/V_final (\S+) mV/.exec(l)![1]));
    expect(lines.slice(1).map((l) => /K_out (\S+ mM)/.exec(l)![1])).toEqual(["5 mM", "10 mM", "20 mM"]);
    // doubling K_out raises E_K by (RT/F)·ln 2 = 18.52 mV at 37 degC (K_in moves by < 0.02 mM: < 0.005 mV)
    const step = ((GAS_CONSTANT_J_PER_MOL_K * 310.15) / FARADAY_C_PER_MOL) * Math.log(2) * 1e3;
    expect(sweepV[1]! - sweepV[0]!).toBeCloseTo(step, 2);
    expect(sweepV[2]! - sweepV[1]!).toBeCloseTo(step, 2);
  }, 300_000);
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

/**
 * No code from data (issue 15, item 1): every route by which a path or key comes from data
 * (--set, --vary, sweep.vary, YAML keys, merge's meta JSON, report's summary JSON) refuses
 * `__proto__`, `constructor` and `prototype` with a one-line error naming the field, leaves
 * Object.prototype untouched, and no sweep worker starts with flags from the file.
 */
const dir = () => mkdtempSync(join(tmpdir(), "ionflux-proto-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const BASE = readFileSync("sims/k-nernst.yaml", "utf8");
const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

/** The exploit of the issue: a sweep.vary path into Object.prototype.execArgv, whose payload writes `marker`. */
function exploit(marker: string, key = "__proto__.execArgv"): string {
  const code = `import fs from \\"fs\\"; fs.writeFileSync(\\"${marker}\\"\\x2c \\"x\\")`;
  return `${BASE}\nsweep:\n  vary:\n    ${key}: '["--import=data\\x3atext/javascript\\x2c${code}"]'\n    channels.0.conductance: "1 mS/cm^2:3 mS/cm^2:60"\n`;
}

describe("no prototype keys from data", () => {
  it("the issue's exploit (execArgv via sweep.vary) is refused naming the field; the payload never runs", () => {
    const out = dir();
    for (const key of ["__proto__.execArgv", "constructor.prototype.execArgv", "channels.0.__proto__.x"]) {
      const marker = join(out, `PWNED-${key.length}`);
      writeFileSync(join(out, "evil.yaml"), exploit(marker, key));
      const r = ionflux(["sweep", join(out, "evil.yaml"), "--out", join(out, "o"), "--jobs", "2", "--progress", "never"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^ionflux: \\S*evil\\.yaml:\\d+: sweep\\.vary\\.${key.replace(/\./g, "\\.")}: the key "(__proto__|constructor)" is not allowed[^\\n]*\\n$`));
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(out, "o", "sweep.csv"))).toBe(false);
    }
  });

  it("--set and --vary: exit 2 with the option and the key named, no output", () => {
    const out = dir();
    const cases: string[][] = [
      ["run", "sims/k-nernst.yaml", "--set", "__proto__.clamped=true"],
      ["run", "sims/k-nernst.yaml", "--set", "bath.constructor.prototype.clamped=true"],
      ["run", "sims/k-nernst.yaml", "--set", "bath={__proto__: {clamped: true}}"],
      ["check", "sims/k-nernst.yaml", "--set", "ions.K.__proto__.polluted=1"],
      ["sweep", "sims/k-nernst.yaml", "--vary", "__proto__.execArgv=1,2", "--progress", "never"],
      ["sweep", "sims/k-nernst.yaml", "--vary", "prototype.x=1:2:3", "--progress", "never"],
      ["sweep", "sims/k-nernst.yaml", "--set", "constructor.x=1", "--vary", "temperature=6 degC,7 degC", "--progress", "never"],
    ];
    for (const args of cases) {
      const r = ionflux(args[0] === "check" ? args : [...args, "--out", out]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^ionflux: --(set|vary) [^\n]*the key "(__proto__|constructor|prototype)" is not allowed[^\n]*\nTry 'ionflux --help'\.\n$/);
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it("YAML keys anywhere in the file: refused with file, line and field path", () => {
    const out = dir();
    const lineOf = (text: string, key: string) => text.split("\n").findIndex((l) => l.includes(key)) + 1;
    const texts: [string, string, string][] = [
      [BASE.replace("ions:\n", "ions:\n  __proto__: { charge: 1, inside: 1 mM, outside: 1 mM }\n"), "__proto__", "ions\\.__proto__"],
      [BASE.replace("bath:\n", "constructor: 1\nbath:\n"), "constructor", "constructor"],
      [BASE.replace("initial:\n", "constants: { prototype: 1 }\ninitial:\n"), "prototype", "constants\\.prototype"],
      [`${BASE}\nsweep: { vary: { "__proto__": "1,2" } }\n`, "__proto__", "sweep\\.vary\\.__proto__"],
      [`{"name": "j", "__proto__": {"clamped": true}}`, "__proto__", "__proto__"],
    ];
    const cases = texts.map(([text, key, path]) => [text, new RegExp(`:${lineOf(text, key)}: ${path}: the key "${key}" is not allowed`)] as const);
    for (const [text, message] of cases) {
      const file = join(out, text.startsWith("{") ? "j.json" : "bad.yaml");
      writeFileSync(file, text);
      const r = ionflux(["run", file, "--out", join(out, "o")]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(join(out, "o"))).toBe(false);
    }
  });

  it("in this process: no route changes Object.prototype, and mappings built from user keys have no prototype", () => {
    const before = protoNames();
    const attempts: (() => unknown)[] = [
      () => parseScenario(BASE, "a.yaml", [parseOverride("__proto__.clamped=true")]),
      () => parseScenario(BASE, "a.yaml", [parseOverride("bath={__proto__: {clamped: true}}")]),
      () => parseScenario(BASE.replace("bath:\n", "__proto__: { clamped: true }\nbath:\n"), "a.yaml"),
      () => parseScenario(`${BASE}\nsweep: { vary: { "__proto__.polluted": "1,2" } }\n`, "a.yaml"),
      () => parseScenario(`{"__proto__": {"polluted": 1}, "name": "x"}`, "a.json"),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(/is not allowed/);
    expect(protoNames()).toEqual(before);
    expect(({} as Record<string, unknown>).clamped).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // an ordinary --set still works, and a new mapping it makes has no prototype
    const s = parseScenario(BASE, "a.yaml", [parseOverride("run.method=rk45"), parseOverride("bath.clamped=true")]);
    expect(s.run.method).toBe("rk45");
  });

  it("merge and report: a meta or summary JSON with a prototype key is refused naming the file", () => {
    const out = dir();
    const shards = join(out, "shards");
    mkdirSync(shards);
    writeFileSync(join(shards, "sweep.shard-1-of-1.meta.json"), `{"sweep_id":"x","total_runs":1,"shard":{"index":1,"count":1},"runs_expected":1,"runs_done":1,"complete":true,"__proto__":{"complete":true}}`);
    writeFileSync(join(shards, "sweep.shard-1-of-1.csv"), "run,x\n0,1\n");
    const m = ionflux(["merge", shards, "--out", join(out, "m")]);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/^ionflux: \S*sweep\.shard-1-of-1\.meta\.json: the key "__proto__" is not allowed[^\n]*\n$/);
    expect(existsSync(join(out, "m"))).toBe(false);

    const rep = join(out, "rep");
    expect(ionflux(["run", "sims/k-nernst.yaml", "--out", rep]).status).toBe(0);
    const summaryPath = join(rep, "k-nernst.summary.json");
    const summary = readFileSync(summaryPath, "utf8");
    writeFileSync(summaryPath, summary.replace('"name"', '"constructor": {"prototype": {"x": 1}},\n  "name"'));
    const r = ionflux(["report", rep]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ionflux: \S*k-nernst\.summary\.json: the key "(constructor|prototype)" is not allowed[^\n]*\n$/);
    expect(existsSync(join(rep, "report.html"))).toBe(false);
  });

  it("a polluted Object.prototype (a route we missed) still gives no sweep worker foreign flags", () => {
    const out = dir();
    const marker = join(out, "PWNED");
    const pool = resolve("dist/sweep/pool.js");
    const flags = [`--import=data:text/javascript,import fs from "fs"; fs.writeFileSync(${JSON.stringify(marker)}, "x")`];
    const script = `
      Object.prototype.execArgv = ${JSON.stringify(flags)};
      Object.prototype.eval = true;
      const { runSweepPoints } = await import(${JSON.stringify(pool)});
      const text = ${JSON.stringify(BASE)};
      let rows = 0;
      await runSweepPoints({ text, file: "k.yaml", indices: Array.from({ length: 60 }, (_, i) => i), setsOf: (k) => ["run.duration=" + (1 + k) + " ms"], jobs: 3, batchSize: 5, onResults: (r) => { rows += r.length; }, stopRequested: () => false });
      console.log(rows);
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("60");
    expect(existsSync(marker)).toBe(false);
  });
});

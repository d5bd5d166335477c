import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkJobs, JOBS_PER_CORE } from "../../src/cli/commands/sweep.js";
import { parseScenario } from "../../src/scenario/load.js";
import { parseScenarioSource, readScenarioText, SOURCE_LIMITS } from "../../src/scenario/source.js";
import { SCENARIO_LIMITS } from "../../src/scenario/validate.js";

/**
 * Bounded input (issue 15, item 3): every limit the README states, at the limit and one past it,
 * and the inputs that used to read 15 GB, overflow the stack or take minutes.
 */
const dir = () => mkdtempSync(join(tmpdir(), "ionflux-limits-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const BASE = readFileSync("sims/k-nernst.yaml", "utf8");
const b36 = (i: number) => i.toString(36);
/** The line of a key appended to BASE. */
const EXTRA_LINE = BASE.split("\n").length;

describe("limits at the number and one past it", () => {
  it(`file size: ${SOURCE_LIMITS.maxBytes} bytes read, one more refused without reading on`, () => {
    const d = dir();
    const pad = (n: number) => `${BASE}#${"x".repeat(n - Buffer.byteLength(BASE) - 2)}\n`;
    writeFileSync(join(d, "at.yaml"), pad(SOURCE_LIMITS.maxBytes));
    writeFileSync(join(d, "past.yaml"), pad(SOURCE_LIMITS.maxBytes + 1));
    expect(readScenarioText(join(d, "at.yaml")).length).toBe(SOURCE_LIMITS.maxBytes);
    expect(() => readScenarioText(join(d, "past.yaml"))).toThrow(/past\.yaml: file is larger than 1048576 bytes \(1048577\)/);
  });

  it(`nesting: ${SOURCE_LIMITS.maxDepth} levels accepted, ${SOURCE_LIMITS.maxDepth + 1} refused, in flow and block style`, () => {
    const flow = (n: number) => `${BASE}extra: ${"[".repeat(n)}${"]".repeat(n)}\n`;
    const block = (n: number) => `${BASE}extra:\n${Array.from({ length: n }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} 1\n`;
    for (const make of [flow, block]) {
      expect(() => parseScenarioSource(make(SOURCE_LIMITS.maxDepth), "n.yaml")).not.toThrow();
      expect(() => parseScenarioSource(make(SOURCE_LIMITS.maxDepth + 1), "n.yaml")).toThrow(/^n\.yaml:\d+: (extra[.\w[\]]*: )?nesting deeper than 32 levels$/);
    }
    // 200,000 brackets: refused before the parser's recursion could overflow the stack
    expect(() => parseScenarioSource(flow(200_000), "n.yaml")).toThrow(new RegExp(`^n\\.yaml:${EXTRA_LINE}: nesting deeper than 32 levels$`));
  });

  it(`aliases: ${SOURCE_LIMITS.maxAliases} resolved, ${SOURCE_LIMITS.maxAliases + 1} refused`, () => {
    const aliases = (n: number) => `${BASE}extra: &a [1]\nmore: [${Array.from({ length: n }, () => "*a").join(", ")}]\n`;
    expect(() => parseScenarioSource(aliases(SOURCE_LIMITS.maxAliases), "a.yaml")).not.toThrow();
    expect(() => parseScenarioSource(aliases(SOURCE_LIMITS.maxAliases + 1), "a.yaml")).toThrow(new RegExp(`^a\\.yaml:${EXTRA_LINE + 1}: more than 100 YAML aliases`));
    // an alias bomb (each level ten aliases of the one before) stays within the count and is still stopped
    const bomb = `${BASE}${Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array.from({ length: 10 }, () => (i === 0 ? "1" : `*l${i}`)).join(", ")}]`).join("\n")}\n`;
    expect(() => parseScenarioSource(bomb, "a.yaml")).toThrow(/a\.yaml: YAML rejected: Excessive alias count/);
  });

  it(`constants: ${SCENARIO_LIMITS.maxConstants} accepted, ${SCENARIO_LIMITS.maxConstants + 1} refused naming the field`, () => {
    const consts = (n: number) => BASE.replace("initial:\n", `constants:\n${Array.from({ length: n }, (_, i) => ` c${b36(i)}: ${i}`).join("\n")}\ninitial:\n`);
    expect(Object.keys(parseScenario(consts(SCENARIO_LIMITS.maxConstants), "c.yaml").constants)).toHaveLength(SCENARIO_LIMITS.maxConstants);
    expect(() => parseScenario(consts(SCENARIO_LIMITS.maxConstants + 1), "c.yaml")).toThrow(/^c\.yaml:\d+: constants: 1001 constants; at most 1000 are allowed$/);
  });

  it(`--jobs: ${JOBS_PER_CORE} per core accepted, one more refused`, () => {
    const cores = availableParallelism();
    expect(() => checkJobs(JOBS_PER_CORE * cores)).not.toThrow();
    expect(() => checkJobs(JOBS_PER_CORE * cores + 1)).toThrow(new RegExp(`--jobs ${JOBS_PER_CORE * cores + 1}: at most ${JOBS_PER_CORE * cores} \\(${JOBS_PER_CORE} per core, ${cores} cores here\\)`));
    const r = ionflux(["sweep", "sims/k-nernst.yaml", "--vary", "temperature=6 degC,7 degC", "--jobs", String(JOBS_PER_CORE * cores + 1), "--out", dir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ionflux: --jobs \d+: at most \d+/);
  });
});

describe("inputs that used to hang, read without end or overflow the stack", () => {
  it("a device, a FIFO or a directory is refused before reading (run /dev/zero read 15 GB)", () => {
    const d = dir();
    spawnSync("mkfifo", [join(d, "fifo")]);
    const cases: [string, RegExp][] = [
      ["/dev/zero", /\/dev\/zero: is a device, not a scenario file/],
      ["/dev/urandom", /\/dev\/urandom: is a device/],
      [join(d, "fifo"), /fifo: is a pipe \(FIFO\), not a scenario file/],
      [d, /is a directory, not a scenario file/],
    ];
    for (const [file, message] of cases) expect(() => readScenarioText(file)).toThrow(message);
    for (const args of [["run", "/dev/zero", "--out", d], ["sweep", "/dev/zero", "--vary", "temperature=1 degC,2 degC", "--out", d], ["check", join(d, "fifo")]]) {
      const r = spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8", timeout: 20_000 });
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(/^ionflux: \S+: is a (device|pipe)[^\n]*\n$/);
    }
  });

  it("a list of 300,000 items: one line naming the field, no stack overflow", () => {
    const text = `${BASE}extra: [${Array.from({ length: 300_000 }, () => "1").join(",")}]\n`;
    expect(() => parseScenario(text, "l.yaml")).toThrow(new RegExp(`^l\\.yaml:${EXTRA_LINE}: extra: unknown field`));
    const inList = BASE.replace(/channels:\n.*\n/, `channels: [${Array.from({ length: 300_000 }, () => "1").join(",")}]\n`);
    expect(() => parseScenario(inList, "l.yaml")).toThrow(/^l\.yaml:\d+: channels: 300000 items; at most 256 are allowed$/);
  });

  it("100,000 keys: the duplicate-key check is linear (it took 104 s), and finds the repeat with its line", () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => ` c${b36(i)}: 0`);
    const many = BASE.replace("initial:\n", `constants:\n${keys.join("\n")}\ninitial:\n`);
    let t0 = performance.now();
    expect(() => parseScenario(many, "k.yaml")).toThrow(/constants: 100000 constants; at most 1000/);
    const unique = performance.now() - t0;
    const repeated = BASE.replace("initial:\n", `constants:\n${keys.join("\n")}\n c0: 1\ninitial:\n`);
    t0 = performance.now();
    expect(() => parseScenario(repeated, "k.yaml")).toThrow(new RegExp(`^k\\.yaml:${BASE.split("\n").findIndex((l) => l.startsWith("initial:")) + 100_002}: malformed YAML: Map keys must be unique \\(duplicate key "c0"\\)$`));
    const duplicate = performance.now() - t0;
    // measured about 1 s each on a loaded 2-core machine; the quadratic check took 104 s
    expect(unique).toBeLessThan(15_000);
    expect(duplicate).toBeLessThan(15_000);
  });
});

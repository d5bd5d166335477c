import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { RecordTimes } from "../../src/simulation/recordTimes.js";

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-record-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const table = (file: string) => parse(readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];

describe("log-spaced recording (run.record)", () => {
  it("merges k·record-every with first·10^(j/per-decade), a shared time once", () => {
    const r = new RecordTimes({ recordEvery: 1e-3, recordLog: { first: 1e-5, perDecade: 2 } });
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      times.push(r.peek());
      r.advance();
    }
    const s = Math.sqrt(10);
    const expected = [1e-5, 1e-5 * s, 1e-4, 1e-4 * s, 1e-3, 2e-3, 3e-3, 1e-3 * s, 4e-3];
    times.forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 15));
  });

  it("k-nernst with record: log: rows at 10 us·10^(j/20), and V(t) on the closed-form approach E_K + (V0 − E_K)·exp(−t·g/C_m)", () => {
    const out = dir();
    const r = ionflux(["run", "sims/k-nernst.yaml", "--set", "run.record=log", "--set", "run.record-every=null", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = table(join(out, "k-nernst.csv"));
    const t = rows.map((row) => Number(row["t [s]"]));
    // t = 0, then 1e-5 · 10^(j/20) up to the stop (147.6 ms), then the final time
    expect(t[0]).toBe(0);
    for (let j = 0; j < t.length - 2; j++) expect(t[j + 1]! / (1e-5 * 10 ** (j / 20)) - 1).toBeLessThan(1e-12);
    expect(t.length).toBe(2 + Math.floor(20 * Math.log10(t.at(-1)! / 1e-5)) + 1);
    // one ohmic K+ channel, clamped bath: tau = C_m/g = (1 uF/cm^2)/(0.5 mS/cm^2) = 2 ms; E_K moves < 0.003 mV meanwhile
    const tau = 0.01 / 5;
    const E0 = Number(rows[0]!["E_K [mV]"]);
    let worst = 0;
    for (const row of rows) {
      const time = Number(row["t [s]"]);
      if (time > 0.02) break;
      const closed = E0 + (0 - E0) * Math.exp(-time / tau);
      worst = Math.max(worst, Math.abs(Number(row["V [mV]"]) - closed));
    }
    expect(worst).toBeLessThan(0.02);
  });

  it("runs spanning seven decades get log rows by default (the approach in milliseconds shows); record: linear keeps the old rows", () => {
    const out = dir();
    // donnan: 24 h from dt = 10 us, without its record-every (sims/donnan.yaml asks for record: log itself)
    const base = ["run", "sims/donnan.yaml", "--set", "run.record-every=null", "--set", "run.record=null"];
    expect(ionflux([...base, "--out", out]).status).toBe(0);
    const rows = table(join(out, "donnan.csv"));
    const early = rows.filter((row) => Number(row["t [s]"]) > 0 && Number(row["t [s]"]) < 0.1);
    expect(early.length).toBeGreaterThanOrEqual(80); // 1e-5 s to 0.1 s: four decades of 20 rows
    // V leaves the initial state and meets E_rev inside them
    expect(Math.abs(Number(early[0]!["V [mV]"]) - Number(early[0]!["E_rev [mV]"]))).toBeGreaterThan(1);
    expect(Math.abs(Number(early.at(-1)!["V [mV]"]) - Number(early.at(-1)!["E_rev [mV]"]))).toBeLessThan(0.01);
    const linear = dir();
    expect(ionflux([...base.slice(0, 4), "--set", "run.record=linear", "--out", linear]).status).toBe(0);
    const old = table(join(linear, "donnan.csv"));
    expect(old.length).toBe(1001); // every duration/1000 and t = 0
    expect(Number(old[1]!["t [s]"])).toBe(86.4);
    // every linear row is also a row of the default table, with the same values (E_rev, a root
    // found from the previous row's, may differ in its last bit: 1e-14 relative)
    const byTime = new Map(rows.map((row) => [row["t [s]"], row]));
    let worst = 0;
    for (const row of old) {
      const same = byTime.get(row["t [s]"])!;
      expect(Object.keys(same)).toEqual(Object.keys(row));
      for (const [k, v] of Object.entries(row)) worst = Math.max(worst, Math.abs(Number(same[k]) - Number(v)) / Math.max(1e-300, Math.abs(Number(v))));
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it("a record-every the user wrote means exactly its rows (W1: row 1 is t = 10 s)", () => {
    const out = dir();
    expect(ionflux(["run", "sims/bench/w1-run-down.yaml", "--out", out]).status).toBe(0);
    const t = table(join(out, "w1-run-down.csv")).map((row) => Number(row["t [s]"]));
    expect(t.slice(0, 3)).toEqual([0, 10, 20]);
  });

  it("refuses a bad record setting naming the field", () => {
    const r = ionflux(["check", "sims/k-nernst.yaml", "--set", "run.record=sometimes"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('run.record: expected linear, log or { spacing: log, per-decade: N, from: T }, got "sometimes"');
    const m = ionflux(["check", "sims/k-nernst.yaml", "--set", "run.record={ per-decade: 0 }"]);
    expect(m.stderr).toContain("run.record.per-decade");
  });
});

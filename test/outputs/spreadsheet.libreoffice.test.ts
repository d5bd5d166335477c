import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { readXlsx, type Cell } from "../helpers/xlsx.js";

/**
 * The CSVs opened the way users open them: LibreOffice Calc (Debian's libreoffice-calc-nogui,
 * installed here when missing, in CI or with IONFLUX_SLOW=1, as root) imports a trajectory, an
 * I-V table and a sweep.csv and saves them as .xlsx; the cells are read back (no pandas, no
 * spreadsheet library) and must have the types a user charts: numbers, booleans, intact headers.
 */
const wanted = process.env.CI === "true" || process.env.IONFLUX_SLOW === "1";
function soffice(): string | null {
  if (existsSync("/usr/bin/soffice")) return "/usr/bin/soffice";
  if (!wanted || process.getuid?.() !== 0) return null;
  // flock: the cluster and browser tests may be installing their packages at the same moment (one dpkg lock)
  spawnSync("bash", ["-c", "flock /tmp/ionflux-apt.lock apt-get update -qq && DEBIAN_FRONTEND=noninteractive flock /tmp/ionflux-apt.lock apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui"], { stdio: "ignore", timeout: 900_000 });
  return existsSync("/usr/bin/soffice") ? "/usr/bin/soffice" : null;
}
const office = soffice();
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

/**
 * Text Import as a user sets it: comma, double quote, UTF-8, from line 1, English (US), quoted
 * fields not forced to text, "Detect special numbers" on (it is what turns TRUE/FALSE into
 * booleans; plain and scientific numbers are numbers either way).
 */
const IMPORT_DETECTING = "CSV:44,34,76,1,,1033,false,true";
const IMPORT_DEFAULT = "CSV:44,34,76,1,,1033,false,false";

function toXlsx(dir: string, csv: string, filter: string, outdir: string): (Cell | undefined)[][] {
  const r = spawnSync(office!, [`-env:UserInstallation=file://${join(dir, "lo-profile")}`, "--headless", `--infilter=${filter}`, "--convert-to", "xlsx", "--outdir", outdir, csv], { encoding: "utf8", timeout: 120_000 });
  const xlsx = join(outdir, csv.split("/").at(-1)!.replace(/\.csv$/, ".xlsx"));
  expect(existsSync(xlsx), `soffice made no ${xlsx}: ${r.stderr}`).toBe(true);
  return readXlsx(xlsx);
}

/** LibreOffice keeps 15 significant digits of a double. */
const sameNumber = (cell: Cell | undefined, text: string) => cell?.type === "n" && Math.abs((cell.value as number) - Number(text)) <= 1e-14 * Math.abs(Number(text));

/** Every non-empty CSV cell whose text is a number must be a number cell of that value. */
function numericMismatches(rows: string[][], sheet: (Cell | undefined)[][], skip: (j: number) => boolean = () => false): string[] {
  const bad: string[] = [];
  rows.slice(1).forEach((row, i) =>
    row.forEach((text, j) => {
      if (text === "" || skip(j)) return;
      if (!sameNumber(sheet[i + 1]?.[j], text)) bad.push(`row ${i + 2} ${rows[0]![j]}: "${text}" became ${JSON.stringify(sheet[i + 1]?.[j])}`);
    }),
  );
  return bad;
}

// in CI (as root) the test installs LibreOffice: when that fails, the test fails rather than skipping
// quietly, so that a green CI run means the CSVs were opened
if (wanted && process.getuid?.() === 0) {
  describe("LibreOffice for the spreadsheet test", () => {
    it("is installed (libreoffice-calc-nogui from Debian)", () => expect(office).not.toBeNull());
  });
}

describe.skipIf(office === null)("the CSVs in LibreOffice Calc", () => {
  it("a trajectory, an I-V table and a sweep.csv keep numbers as numbers, booleans as booleans, headers intact", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-calc-"));
    expect(ionflux(["run", "sims/k-nernst.yaml", "--out", dir]).status).toBe(0);
    expect(ionflux(["iv", "sims/iv-protocol.yaml", "--from", "-100mV", "--to", "60mV", "--step", "10mV", "--at", "5ms", "--out", dir]).status).toBe(0);
    // a grid with a unitless, a temperature and a concentration column; "5 mV" makes its runs fail
    const sweep = ionflux(["sweep", "sims/neuron-chord.yaml", "--vary", "channels.k-leak.conductance=0.2 mS/cm^2:2 mS/cm^2:log:3", "--vary", "temperature=20 degC,37 degC",
      "--vary", "ions.K.outside=4 mM,5 mV", "--vary", "run.rtol=1e-6", "--set", "run.duration=0.05 s", "--out", dir]);
    expect(sweep.status, sweep.stderr).toBe(0);

    for (const name of ["k-nernst.csv", "iv-protocol.iv.csv"]) {
      const rows: string[][] = parse(readFileSync(join(dir, name), "utf8"));
      for (const [filter, sub] of [[IMPORT_DEFAULT, "default"], [IMPORT_DETECTING, "detecting"]] as const) {
        const sheet = toXlsx(dir, join(dir, name), filter, join(dir, sub));
        expect(sheet[0]!.map((c) => c?.value), `${name} header`).toEqual(rows[0]);
        expect(sheet[0]!.every((c) => c?.type === "s")).toBe(true);
        expect(sheet.length).toBe(rows.length);
        expect(numericMismatches(rows, sheet), name).toEqual([]);
      }
    }

    const rows: string[][] = parse(readFileSync(join(dir, "sweep.csv"), "utf8"));
    const header = rows[0]!;
    expect(header.slice(0, 5)).toEqual(["run", "channels.k-leak.conductance [mS/cm^2]", "temperature [degC]", "ions.K.outside [mM]", "run.rtol [1]"]);
    const col = (name: string) => header.indexOf(name);
    const sheet = toXlsx(dir, join(dir, "sweep.csv"), IMPORT_DETECTING, join(dir, "detecting"));
    expect(sheet[0]!.map((c) => c?.value)).toEqual(header);
    expect(sheet.length).toBe(13);
    // every number (run, parameters, results) a number; converged and error handled below
    const bad = numericMismatches(rows, sheet, (j) => j === col("converged") || j === col("error") || (j === col("ions.K.outside [mM]")));
    expect(bad).toEqual([]);
    let failed = 0;
    rows.slice(1).forEach((row, i) => {
      const cells = sheet[i + 1]!;
      const converged = cells[col("converged")];
      expect(converged?.type, `row ${i + 2} converged`).toBe("b");
      if (row[col("ions.K.outside [mM]")] === "4") {
        expect(cells[col("ions.K.outside [mM]")]).toEqual({ type: "n", value: 4 });
        expect(converged?.value).toBe(1);
        expect(cells[col("V_final [mV]")]?.type).toBe("n");
        expect(cells[col("error")]).toBeUndefined();
      } else {
        // the failed run: FALSE, its reason in its own column, its bad value kept as written
        failed++;
        expect(converged?.value).toBe(0);
        expect(cells[col("error")]).toMatchObject({ type: "s", value: expect.stringMatching(/ions\.K\.outside: expected a concentration/) });
        expect(cells[col("ions.K.outside [mM]")]).toEqual({ type: "s", value: "5 mV" });
        expect(cells[col("V_final [mV]")]).toBeUndefined();
      }
    });
    expect(failed).toBe(6);
    // the temperature stays in the unit written (degC), not kelvin
    expect(rows.slice(1).map((r) => r[col("temperature [degC]")])).toEqual(expect.arrayContaining(["20", "37"]));
  }, 300_000);
});

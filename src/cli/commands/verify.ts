import { runChecks } from "../../verify/checks.js";

/** `ionflux verify`: the built-in closed-form checks as a table; returns the exit status. */
export function verifyCommand(print: (line: string) => void): number {
  const results = runChecks();
  const rows = [["check", "expected", "obtained", "error", "tolerance", ""]];
  const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(12)).toString() : String(x));
  for (const r of results) {
    rows.push([r.name, `${num(r.expected)} ${r.unit}`.trim(), `${num(r.obtained)} ${r.unit}`.trim(), Number((r.obtained - r.expected).toPrecision(3)).toString(), `${r.tolerance} ${r.unit}`.trim(), r.passed ? "ok" : "FAILED"]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) print(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
  const failed = results.filter((r) => !r.passed).length;
  print(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks FAILED`);
  return failed === 0 ? 0 : 1;
}

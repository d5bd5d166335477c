import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { buildReport } from "../../plot/report.js";
import { writeFileAtomic } from "../../recording/atomicFile.js";

/** `ionflux report DIR`: DIR/report.html, one self-contained page. */
export function reportCommand(dir: string, print: (line: string) => void): void {
  if (!existsSync(dir)) throw new UsageError(`report: ${dir}: no such directory`);
  const hasRuns = readdirSync(dir).some((f) => f.endsWith(".summary.json") || f === "sweep.csv");
  if (!hasRuns) throw new UsageError(`report: ${dir} holds no runs (NAME.summary.json), no I-V protocol (NAME.iv.summary.json) and no sweep.csv; write some first (ionflux run FILE --out ${dir})`, false);
  const path = join(dir, "report.html");
  writeFileAtomic(path, buildReport(dir));
  print(`${dir} -> ${path}`);
}

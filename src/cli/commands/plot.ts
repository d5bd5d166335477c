import { closeSync, openSync, readSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { UsageError } from "../../errors.js";
import { svgToPng } from "../../plot/png.js";
import { readTable } from "../../plot/readTable.js";
import { sweepSvg } from "../../plot/sweepPlot.js";
import { ivSvg } from "../../plot/ivPlot.js";
import { trajectoryFileSvg, type TimeAxis } from "../../plot/trajectory.js";
import { AtomicFile } from "../../recording/atomicFile.js";

export interface PlotOptions {
  readonly file: string;
  readonly out?: string;
  readonly timeAxis: TimeAxis;
  readonly width: number;
}

/** The figure of a trajectory CSV or of a sweep.csv, as SVG text. */
export function figureFor(file: string, timeAxis: TimeAxis = "auto", width = 900): string {
  const name = basename(file).replace(/\.csv$/, "");
  const first = firstHeaderCell(file);
  if (first === "run") return sweepSvg(readTable(file), name, width);
  if (first === "V_command [mV]") return ivSvg(readTable(file), name.replace(/\.iv$/, ""), file.replace(/\.csv$/, ".summary.json"), width);
  if (first !== "t [s]") throw new UsageError(`${file}: not a table ionflux wrote (its first column is "${first}"; expected t [s], run or V_command [mV])`);
  // a trajectory may have millions of rows: reduced while it streams, never held whole
  return trajectoryFileSvg(file, name, timeAxis, width);
}

function firstHeaderCell(file: string): string {
  let text: string;
  try {
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    text = buf.subarray(0, n).toString("utf8");
  } catch (e) {
    throw new UsageError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const line = text.replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
  const comma = line.indexOf(",");
  return (comma < 0 ? line : line.slice(0, comma)).replace(/^"|"$/g, "");
}

/** `ionflux plot FILE.csv [--out FILE.svg|FILE.png]`. */
export function plotCommand(opts: PlotOptions, print: (line: string) => void): void {
  const svg = figureFor(opts.file, opts.timeAxis, opts.width);
  if (opts.out === "-") {
    process.stdout.write(svg);
    return;
  }
  const out = opts.out ?? join(dirname(opts.file), `${basename(opts.file).replace(/\.csv$/, "")}.svg`);
  const ext = extname(out).toLowerCase();
  if (ext !== ".svg" && ext !== ".png") throw new UsageError(`--out ${out}: give a .svg or .png file`);
  const file = new AtomicFile(out);
  try {
    if (ext === ".svg") file.write(svg);
    else file.writeBytes(svgToPng(svg, opts.width));
    file.commit();
  } catch (e) {
    file.discard();
    throw e;
  }
  print(`${opts.file} -> ${out}`);
}

import { basename, dirname, extname, join } from "node:path";
import { UsageError } from "../../errors.js";
import { svgToPng } from "../../plot/png.js";
import { readTable } from "../../plot/readTable.js";
import { sweepSvg } from "../../plot/sweepPlot.js";
import { trajectorySvg, type TimeAxis } from "../../plot/trajectory.js";
import { AtomicFile } from "../../recording/atomicFile.js";

export interface PlotOptions {
  readonly file: string;
  readonly out?: string;
  readonly timeAxis: TimeAxis;
  readonly width: number;
}

/** The figure of a trajectory CSV or of a sweep.csv, as SVG text. */
export function figureFor(file: string, timeAxis: TimeAxis = "auto", width = 900): string {
  const table = readTable(file);
  const name = basename(file).replace(/\.csv$/, "");
  if (table.header[0] === "run") return sweepSvg(table, name, width);
  return trajectorySvg(table, name, timeAxis, width);
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

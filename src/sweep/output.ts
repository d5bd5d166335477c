import { existsSync, readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { SimulatorError } from "../errors.js";
import { AtomicFile, writeFileAtomic } from "../recording/atomicFile.js";
import { csvRecord } from "../recording/csv.js";
import { convertQuantity } from "../scenario/quantity.js";
import { DataFileError, parseJsonData } from "../scenario/safeData.js";
import type { SweepRunResult } from "./runOne.js";
import type { RunRange } from "./shard.js";

/** The end-state columns of sweep.csv, after `run` and the varied parameters. */
export const SUMMARY_COLUMNS = ["converged", "t_converged [s]", "V_final [mV]", "E_rev_final [mV]", "I_net_final [uA/cm^2]", "steps", "rhs_evaluations", "error"];
/** Added after the others (columns are only ever added) when some run of the sweep moves water. */
export const WATER_COLUMNS = ["volume_final [pL]"];

/** A number and the unit written after it: "0.1 mS/cm^2", "37 degC", "1e-6". */
const NUMBER_AND_UNIT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

/**
 * How a varied parameter goes into sweep.csv: a plain number in the unit the user wrote, named
 * in the header (`channels.k-leak.conductance [mS/cm^2]`, `run.rtol [1]`), so that a spreadsheet
 * can chart it without splitting cells; a parameter that is not a number (`run.method`) stays text.
 */
export interface SweepParameter {
  readonly path: string;
  /** The unit of the column, "1" for a plain number, null for a text column. */
  readonly unit: string | null;
}

/** The columns' formats, from the first run's values (a range or a distribution has one unit). */
export function sweepParameters(paths: readonly string[], firstValues: readonly string[]): SweepParameter[] {
  return paths.map((path, i) => {
    const m = NUMBER_AND_UNIT.exec(firstValues[i] ?? "");
    return { path, unit: m ? m[2] || "1" : null };
  });
}

export function sweepHeader(parameters: readonly SweepParameter[], water = false): string[] {
  return ["run", ...parameters.map((p) => (p.unit === null ? p.path : `${p.path} [${p.unit}]`)), ...SUMMARY_COLUMNS, ...(water ? WATER_COLUMNS : [])];
}

/**
 * One varied value as a cell: the number when it is written in the column's unit, converted to
 * that unit when a list mixes units (`300 K,37 degC`); text that is no such quantity (a value that
 * failed its run, like "5 mV" among concentrations) is kept as written.
 */
export function parameterCell(p: SweepParameter, text: string): string | number {
  if (p.unit === null) return text;
  const m = NUMBER_AND_UNIT.exec(text);
  if (!m) return text;
  const unit = m[2] || "1";
  if (unit === p.unit) return Number(m[1]);
  const converted = convertQuantity(text, p.unit);
  return converted === null ? text : converted;
}

/** A varied value's sweep.csv cell as CSV text (parameterCell's value, quoted when it must be). */
export function parameterCellText(p: SweepParameter, text: string): string {
  return csvRecord([parameterCell(p, text)]).slice(0, -1);
}

/**
 * One sweep.csv line (RFC 4180 as csv-stringify writes it: an error message may hold commas or quotes).
 * `converged` is TRUE or FALSE, which LibreOffice, Excel and pandas read as booleans; a failed run
 * has FALSE and its one-line reason in `error`. `parameterText` is the run's varied values as CSV
 * cells (SweepPlan.parameterText: made once per value of a grid's axis, not parsed back per row).
 */
export function sweepRow(k: number, parameterText: string, r: SweepRunResult, water = false): string {
  const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "" : x);
  const cells: (string | number)[] =
    r.error !== undefined
      ? ["FALSE", "", "", "", "", "", "", r.error]
      : [r.converged ? "TRUE" : "FALSE", num(r.tConverged_s), num(r.V_final_mV), num(r.E_rev_final_mV), num(r.I_net_final_uA_cm2), num(r.steps), num(r.rhsEvaluations), ""];
  if (water) cells.push(r.error !== undefined ? "" : num(r.volumeFinal_pL));
  // joined, not concatenated: a flat string (csv.ts says why rows are not ropes)
  return [String(k), parameterText, csvRecord(cells)].join(",");
}

/** What a finished or interrupted sweep file holds (the sidecar DIR/NAME.meta.json). */
export interface SweepMeta {
  readonly sweep_id: string;
  readonly total_runs: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly runs_expected: number;
  readonly runs_done: number;
  readonly complete: boolean;
}

export class ResumeError extends SimulatorError {}

/**
 * Writes sweep rows in run order whatever order they finish in: rows wait in a buffer until the
 * rows before them are written (the buffer holds at most the runs in flight, so memory does not
 * grow with the sweep), and go to a temporary file that becomes the CSV on close(). The order is
 * the range's (first, first + stride, …): no list of the runs is held. On an interrupt, close()
 * writes the rows it has, sorted, so the partial file is a valid table.
 */
export class OrderedSweepWriter {
  private readonly file: AtomicFile;
  /** Rows that came before their turn, by run index. */
  private readonly pending = new Map<number, string>();
  /**
   * Rows in order not yet written to the file, as UTF-8 in a buffer of fixed size, written when
   * full (a write per row was a third of the main thread's time per run). A row is copied in as
   * it comes, so its text dies at once: held as strings until 64 kB of them were there (about
   * 150 ms of a 2-thread W4), nearly every row outlived two young-generation collections, was
   * promoted, and the old generation grew by about 1 MB/s of dead rows between full collections.
   */
  private readonly unwritten = Buffer.allocUnsafe(65_536);
  private unwrittenLength = 0;
  /** The position in the range of the next row to write, and its run index. */
  private cursor = 0;
  private nextRun: number;
  private written = 0;

  constructor(
    readonly path: string,
    header: readonly string[],
    /** The runs this file will hold, ascending. */
    private readonly expected: RunRange,
  ) {
    this.nextRun = expected.first;
    this.file = new AtomicFile(path);
    this.file.write(csvRecord(header));
  }

  add(k: number, line: string): void {
    if (k !== this.nextRun || this.cursor >= this.expected.count) {
      this.pending.set(k, line);
      return;
    }
    // its turn: written without going through the map (a set and a delete per row reallocated
    // the map's table, more garbage that lived long enough to be promoted)
    this.take(line);
    if (this.pending.size === 0) return;
    for (let next = this.pending.get(this.nextRun); next !== undefined && this.cursor < this.expected.count; next = this.pending.get(this.nextRun)) {
      this.pending.delete(this.nextRun);
      this.take(next);
    }
  }

  /** The next row in order. */
  private take(line: string): void {
    const bytes = Buffer.byteLength(line, "utf8");
    if (this.unwrittenLength + bytes > this.unwritten.length) this.flush();
    if (bytes > this.unwritten.length) this.file.write(line); // a row longer than the buffer (a very long error)
    else this.unwrittenLength += this.unwritten.write(line, this.unwrittenLength, "utf8");
    this.cursor++;
    this.nextRun += this.expected.stride;
    this.written++;
  }

  private flush(): void {
    if (this.unwrittenLength === 0) return;
    this.file.writeBytes(this.unwritten.subarray(0, this.unwrittenLength));
    this.unwrittenLength = 0;
  }

  /** The rows written in order so far (what a snapshot holds). */
  get rowsInOrder(): number {
    return this.written;
  }

  /** Publishes the rows so far as the CSV (a valid table), so that a killed sweep keeps them. */
  checkpoint(): void {
    this.flush();
    this.file.snapshot();
  }

  /** Commits the file; returns the number of rows in it. */
  close(): number {
    this.flush();
    for (const k of [...this.pending.keys()].sort((a, b) => a - b)) {
      this.file.write(this.pending.get(k)!);
      this.written++;
    }
    this.pending.clear();
    this.file.commit();
    return this.written;
  }

  discard(): void {
    this.file.discard();
  }
}

export function writeMeta(path: string, meta: SweepMeta): void {
  writeFileAtomic(path, `${JSON.stringify(meta, null, 2)}\n`);
}

/** A sweep's meta file, checked field by field: a cut-short or edited file is a one-line error naming it. */
export function readMeta(path: string): SweepMeta | null {
  if (!existsSync(path)) return null;
  const m = parseJsonData(readFileSync(path, "utf8"), path) as Record<string, unknown> | null;
  const count = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
  const shard = m?.shard as Record<string, unknown> | null | undefined;
  const bad =
    m === null || typeof m !== "object" || Array.isArray(m) ? "not a JSON object"
    : typeof m.sweep_id !== "string" ? "sweep_id"
    : !count(m.total_runs) ? "total_runs"
    : !count(m.runs_expected) ? "runs_expected"
    : !count(m.runs_done) ? "runs_done"
    : typeof m.complete !== "boolean" ? "complete"
    : shard !== null && (typeof shard !== "object" || Array.isArray(shard) || !count(shard.index) || !count(shard.count) || !((shard.index as number) >= 1 && (shard.index as number) <= (shard.count as number))) ? "shard"
    : undefined;
  if (bad !== undefined) throw new DataFileError(path, `${bad === "not a JSON object" ? bad : `missing or bad field ${bad}`}; not a sweep meta file ionflux wrote (move it away, or run the sweep again without --resume)`);
  return m as unknown as SweepMeta;
}

/**
 * The rows of an earlier (interrupted) run of the same sweep, by run index, as line texts.
 * Refuses a file from another sweep or with another header.
 */
export function readDoneRows(csvPath: string, metaPath: string, sweepId: string, header: readonly string[]): Map<number, string> {
  const done = new Map<number, string>();
  if (!existsSync(csvPath)) return done;
  const meta = readMeta(metaPath);
  if (!meta || meta.sweep_id !== sweepId) {
    throw new ResumeError(`${csvPath}: not from this sweep (different scenario, overrides or parameters); move it away or drop --resume`);
  }
  let rows: string[][];
  try {
    rows = parse(readFileSync(csvPath, "utf8"));
  } catch (e) {
    throw new ResumeError(`${csvPath}: not a valid table (${(e as Error).message.split("\n")[0]}); move it away or drop --resume`);
  }
  if (rows[0]?.join("\u0000") !== header.join("\u0000")) throw new ResumeError(`${csvPath}: its header differs from this sweep's`);
  for (const row of rows.slice(1)) done.set(Number(row[0]), csvRecord(row));
  return done;
}

import { AtomicFile } from "./atomicFile.js";
import { finiteNumbersText } from "./numberText.js";
import { RowRecorder } from "./trajectory.js";
import type { Column } from "./types.js";

/** Rows per write: large enough to amortise the call, small enough to stream. */
const BATCH_ROWS = 2048;

/**
 * One CSV record as csv-stringify writes it with record_delimiter "unix": a number as '' + n, a
 * text cell holding a comma, a double quote or an LF quoted with its quotes doubled (a CR alone
 * is not, as there), and "\n" after it. Trajectory headers and every sweep.csv line go through it:
 * csv-stringify's first call, cold, was about 1.5 ms of a 60 ms `ionflux run` (and is no longer in
 * the run's bundle), and a stringifier built per sweep row was half of that row's cost.
 * test/recording/csv-record.test.ts and test/sweep/csv-line.test.ts hold it to csv-stringify.
 */
export function csvRecord(cells: readonly (string | number)[]): string {
  // joined, not concatenated cell by cell: a sweep's rows wait in memory before they are written,
  // and a row built with += is a rope of ~40 pieces until flattened (W4's grid peaked 5-8 MB
  // higher that way). Finite numbers side by side are written by one JSON.stringify, not String
  // per number: numberText.ts says why.
  const out: string[] = [];
  let numbers: number[] | null = null;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (typeof c === "number" && Number.isFinite(c)) {
      (numbers ??= []).push(c);
      continue;
    }
    if (numbers !== null) {
      out.push(finiteNumbersText(numbers));
      numbers = null;
    }
    out.push(typeof c === "number" ? String(c) : /[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  }
  if (numbers !== null) out.push(finiteNumbersText(numbers));
  return `${out.join(",")}\n`;
}

/** `V [mV]`: the header cell of scenario-format.md. */
export function headerCell(c: Column): string {
  return `${c.name} [${c.unit}]`;
}

/**
 * The trajectory CSV (RFC 4180, comma, "." decimal point, "\n" line ends, no comment lines).
 * Numbers are written with JavaScript's shortest round-trip form, so they read back exactly;
 * a non-finite value (e.g. E_rev of a membrane with no open channel) is an empty cell.
 * Rows stream to a temporary file that becomes NAME.csv only on finish().
 */
export class CsvFileRecorder extends RowRecorder {
  private file: AtomicFile | undefined;
  private batch: string[] = [];
  /** The row being written, as plain numbers (reused). */
  private readonly numbers: number[] = [];

  constructor(readonly path: string) {
    super();
  }

  start(columns: readonly Column[]): void {
    this.file = new AtomicFile(this.path);
    this.file.write(csvRecord(columns.map(headerCell)));
  }

  row(values: Float64Array): void {
    // numbers never need RFC 4180 quoting, so rows are joined directly (2-3x faster than
    // csv-stringify on numeric rows, ecosystem notes §4); the header goes through csvRecord.
    // The row is one JSON.stringify of its numbers (numberText.ts: no number-string cache),
    // whose null for a non-finite value becomes the empty cell (no number's text holds "null").
    const xs = this.numbers;
    xs.length = values.length;
    let finite = true;
    for (let i = 0; i < values.length; i++) {
      xs[i] = values[i]!;
      if (!Number.isFinite(xs[i]!)) finite = false;
    }
    const line = finite ? finiteNumbersText(xs) : finiteNumbersText(xs).replaceAll("null", "");
    this.batch.push(line);
    if (this.batch.length >= BATCH_ROWS) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0 || !this.file) return;
    this.file.write(`${this.batch.join("\n")}\n`);
    this.batch = [];
  }

  finish(): void {
    this.flush();
    this.file?.commit();
  }

  abort(): void {
    this.batch = [];
    this.file?.discard();
  }
}

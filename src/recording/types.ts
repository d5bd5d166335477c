import { RowRecorder } from "./trajectory.js";

/** A column of the trajectory: its quantity and the unit its numbers are in. */
export interface Column {
  readonly name: string;
  readonly unit: string;
}

/** Where recorded rows go. finish() makes them visible; abort() leaves nothing behind. */
export interface Recorder {
  start(columns: readonly Column[]): void;
  row(values: Float64Array): void;
  finish(): void;
  abort(): void;
}

/** Keeps rows in memory (tests, sweeps). */
export class MemoryRecorder extends RowRecorder {
  columns: readonly Column[] = [];
  readonly rows: Float64Array[] = [];
  start(columns: readonly Column[]): void {
    this.columns = columns;
  }
  row(values: Float64Array): void {
    this.rows.push(Float64Array.from(values));
  }
  finish(): void {}
  abort(): void {}
  /** The recorded series of one column, by its name. */
  series(name: string): number[] {
    const j = this.columns.findIndex((c) => c.name === name);
    if (j < 0) throw new Error(`no column ${name}`);
    return this.rows.map((r) => r[j]!);
  }
}

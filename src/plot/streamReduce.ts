import { closeSync, openSync, readSync, fstatSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse/sync";
import { UsageError } from "../errors.js";

/** One column reduced for plotting: per bucket of time its first, smallest, largest and last point. */
export interface ReducedSeries {
  readonly x: number[];
  readonly y: number[];
  /** Largest |y| over every row (not only the kept points): 0 for a current that never flows. */
  absMax: number;
  /** Number of finite values over every row. */
  finite: number;
}

/** A trajectory reduced in one pass: per column, on a linear and on a logarithmic time axis. */
export interface ReducedTrajectory {
  readonly header: readonly string[];
  readonly rows: number;
  /** First and last finite time, first positive time. */
  readonly t0: number;
  readonly t1: number;
  readonly tPositive0: number;
  readonly linear: readonly ReducedSeries[];
  readonly log: readonly ReducedSeries[];
  /** Share of V's total movement that happens in the first 1% of the run. */
  readonly earlyShareOfV: number;
  /** Share of the rows recorded in the first 1% of the run (0.01 for evenly spaced rows; more with log-spaced recording). */
  readonly earlyShareOfRows: number;
}

/**
 * Bucketed min/max reduction, fed row by row in time order (times must not decrease). Memory is
 * a few points per bucket per column, whatever the number of rows: a 10⁷-row CSV plots in the
 * memory of a thousand-row one.
 */
class BucketReducer {
  private readonly bucket: Int32Array;
  private readonly state: Float64Array; // per column: firstT firstY minT minY maxT maxY lastT lastY
  readonly out: ReducedSeries[];

  constructor(
    private readonly columns: number,
    private readonly position: (t: number) => number,
  ) {
    this.bucket = new Int32Array(columns).fill(-1);
    this.state = new Float64Array(columns * 8);
    this.out = Array.from({ length: columns }, () => ({ x: [], y: [], absMax: 0, finite: 0 }));
  }

  add(t: number, values: Float64Array): void {
    const p = this.position(t);
    if (!Number.isFinite(p)) return;
    const b = Math.floor(p);
    for (let j = 1; j < this.columns; j++) {
      const y = values[j]!;
      if (!Number.isFinite(y)) continue;
      const s = this.state;
      const o = 8 * j;
      if (this.bucket[j] !== b) {
        this.flush(j);
        this.bucket[j] = b;
        s[o] = t; s[o + 1] = y; s[o + 2] = t; s[o + 3] = y; s[o + 4] = t; s[o + 5] = y;
      } else {
        if (y < s[o + 3]!) { s[o + 2] = t; s[o + 3] = y; }
        if (y > s[o + 5]!) { s[o + 4] = t; s[o + 5] = y; }
      }
      s[o + 6] = t;
      s[o + 7] = y;
    }
  }

  flush(j: number): void {
    if (this.bucket[j]! < 0) return;
    const s = this.state;
    const o = 8 * j;
    const pts: [number, number][] = [[s[o]!, s[o + 1]!], [s[o + 2]!, s[o + 3]!], [s[o + 4]!, s[o + 5]!], [s[o + 6]!, s[o + 7]!]];
    pts.sort((a, b) => a[0] - b[0]);
    const r = this.out[j]!;
    let prevT = NaN;
    let prevY = NaN;
    for (const [t, y] of pts) {
      if (t === prevT && y === prevY) continue;
      r.x.push(t);
      r.y.push(y);
      prevT = t;
      prevY = y;
    }
    this.bucket[j] = -1;
  }

  finish(): ReducedSeries[] {
    for (let j = 1; j < this.columns; j++) this.flush(j);
    return this.out;
  }
}

/** Rows of numbers, in order: the one interface the reducer reads (a file or a table in memory). */
export interface RowSource {
  readonly header: readonly string[];
  /** Calls `row` for every data row (values[j] NaN for an empty cell). */
  forEach(row: (values: Float64Array) => void): void;
  /** First and last finite t (the first column), read without a pass when possible. */
  timeRange(): [number, number, number];
}

/** Reduces a trajectory to `buckets` columns of points on both time axes, in one pass. */
export function reduceTrajectory(source: RowSource, buckets: number): ReducedTrajectory {
  const [t0, t1, tPositive0] = source.timeRange();
  const span = t1 - t0 || 1;
  const logLo = Math.log10(tPositive0 > 0 ? tPositive0 : 1);
  const logSpan = Math.log10(t1 > 0 ? t1 : 10) - logLo || 1;
  const n = source.header.length;
  const linear = new BucketReducer(n, (t) => Math.min(buckets - 1, ((t - t0) / span) * buckets));
  const log = new BucketReducer(n, (t) => (t > 0 ? Math.min(buckets - 1, ((Math.log10(t) - logLo) / logSpan) * buckets) : NaN));
  const vIndex = source.header.findIndex((h) => h.replace(/ \[.*\]$/, "") === "V");
  const early = t0 + 0.01 * (t1 - t0);
  let total = 0;
  let earlyMove = 0;
  let earlyRows = 0;
  let lastV = NaN;
  let rows = 0;
  source.forEach((values) => {
    rows++;
    const t = values[0]!;
    if (t <= early) earlyRows++;
    for (let j = 1; j < n; j++) {
      const y = values[j]!;
      if (!Number.isFinite(y)) continue;
      const a = Math.abs(y);
      for (const r of [linear.out[j]!, log.out[j]!]) if (a > r.absMax) r.absMax = a;
      linear.out[j]!.finite++;
      log.out[j]!.finite++;
    }
    if (vIndex > 0) {
      const V = values[vIndex]!;
      if (Number.isFinite(V) && Number.isFinite(lastV)) {
        const d = Math.abs(V - lastV);
        total += d;
        if (t <= early) earlyMove += d;
      }
      if (Number.isFinite(V)) lastV = V;
    }
    if (!Number.isFinite(t)) return;
    linear.add(t, values);
    log.add(t, values);
  });
  return { header: source.header, rows, t0, t1, tPositive0, linear: linear.finish(), log: log.finish(), earlyShareOfV: total > 0 ? earlyMove / total : 0, earlyShareOfRows: rows > 0 ? earlyRows / rows : 0 };
}

/** A table already in memory (column-major) as a row source. */
export function tableSource(header: readonly string[], columns: readonly Float64Array[]): RowSource {
  const rows = columns[0]?.length ?? 0;
  return {
    header,
    forEach(row) {
      const values = new Float64Array(header.length);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < header.length; j++) values[j] = columns[j]![i]!;
        row(values);
      }
    },
    timeRange() {
      const t = columns[0]!;
      let lo = Infinity;
      let hi = -Infinity;
      let pos = Infinity;
      for (const v of t) {
        if (!Number.isFinite(v)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        if (v > 0) pos = Math.min(pos, v);
      }
      return [lo <= hi ? lo : 0, lo <= hi ? hi : 1, Number.isFinite(pos) ? pos : 0];
    },
  };
}

const CHUNK = 1 << 20;

/**
 * A CSV written by ionflux, read in 1 MiB chunks: numbers only in the body (as the trajectory
 * writer writes them), so a line is split at commas without a CSV parser; the header goes through
 * csv-parse. The time range comes from the first data lines and the file's last 64 KiB.
 */
export function fileSource(path: string): RowSource {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const size = fstatSync(fd).size;
  const head = Buffer.alloc(Math.min(size, 65536));
  readSync(fd, head, 0, head.length, 0);
  const headText = head.toString("utf8");
  const firstNewline = headText.indexOf("\n");
  if (firstNewline < 0) {
    closeSync(fd);
    throw new UsageError(`${path}: no data rows`);
  }
  const header = (parse(headText.slice(0, firstNewline), { bom: true }) as string[][])[0] ?? [];
  const parseLine = (line: string, values: Float64Array) => {
    let j = 0;
    let start = 0;
    for (let i = 0; i <= line.length; i++) {
      if (i === line.length || line.charCodeAt(i) === 44) {
        if (j < values.length) values[j++] = i > start ? Number(line.slice(start, i)) : NaN;
        start = i + 1;
      }
    }
    for (; j < values.length; j++) values[j] = NaN;
  };
  const timesOf = (text: string) =>
    text
      .split("\n")
      .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
      .filter((l) => l !== "")
      .map((l) => {
        const c = l.indexOf(",");
        const cell = c < 0 ? l : l.slice(0, c);
        return cell === "" ? NaN : Number(cell);
      })
      .filter((v) => Number.isFinite(v));
  return {
    header,
    timeRange() {
      const firstTimes = timesOf(headText.slice(firstNewline + 1, headText.lastIndexOf("\n")));
      const tail = Buffer.alloc(Math.min(size, 65536));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      const tailText = tail.toString("utf8");
      const lastTimes = timesOf(tailText.slice(tailText.indexOf("\n") + 1));
      const all = [...firstTimes, ...lastTimes];
      if (all.length === 0) return [0, 1, 0];
      const positive = firstTimes.find((v) => v > 0) ?? lastTimes.find((v) => v > 0) ?? 0;
      return [Math.min(...firstTimes.length ? firstTimes : all), Math.max(...all), positive];
    },
    forEach(row) {
      const values = new Float64Array(header.length);
      const decoder = new StringDecoder("utf8");
      const buffer = Buffer.alloc(CHUNK);
      let position = 0;
      let rest = "";
      let first = true;
      const line = (l: string) => {
        if (first) {
          first = false; // the header
          return;
        }
        if (l === "" || l === "\r") return;
        parseLine(l.endsWith("\r") ? l.slice(0, -1) : l, values);
        row(values);
      };
      try {
        for (;;) {
          const n = readSync(fd, buffer, 0, CHUNK, position);
          if (n === 0) break;
          position += n;
          const text = rest + decoder.write(buffer.subarray(0, n));
          let start = 0;
          for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
            line(text.slice(start, i));
            start = i + 1;
          }
          rest = text.slice(start);
        }
        line(rest + decoder.end());
      } finally {
        closeSync(fd);
      }
    },
  };
}

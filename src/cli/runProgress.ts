import { monotonicMs } from "../clock.js";
import { envMilliseconds } from "./envMilliseconds.js";
import type { Column, Recorder } from "../recording/types.js";

/**
 * A run must have taken this long before its progress shows: short runs stay silent.
 * `IONFLUX_PROGRESS_AFTER_MS` sets another delay (the tests use a short one, so that their runs
 * can be short too).
 */
export const PROGRESS_AFTER_MS = 2000;

/**
 * Progress of one long run on a terminal: after 2 s, the simulated time reached (from each
 * recorded row's t) redrawn in place on stderr, at most 5 times a second, and erased at the end,
 * so stdout keeps only the summary line. Off when stderr is not a terminal (logs, pipes).
 */
export function withRunProgress(inner: Recorder, label: string, duration_s: number, streamOf: () => NodeJS.WriteStream = () => process.stderr): Recorder {
  const delay_ms = envMilliseconds("IONFLUX_PROGRESS_AFTER_MS", PROGRESS_AFTER_MS);
  const started = monotonicMs();
  let lastDraw = 0;
  let drawn = false;
  // looked at only once the delay is over: a short run never makes Node's stderr stream (its
  // making loads the stream machinery: lineWriter.ts), and off for good when not a terminal
  let stream: NodeJS.WriteStream | null | undefined;
  const terminal = () => (stream === undefined ? (stream = streamOf().isTTY && process.env.TERM !== "dumb" ? streamOf() : null) : stream);
  const clear = () => {
    if (drawn) stream!.write("\r\u001b[K");
    drawn = false;
  };
  return {
    start(columns: readonly Column[]) {
      inner.start(columns);
    },
    row(values: Float64Array) {
      inner.row(values);
      const now = monotonicMs();
      if (now - started < delay_ms || now - lastDraw < 200) return;
      const out = terminal();
      if (out === null) return;
      lastDraw = now;
      const t = values[0]!;
      const share = Math.min(1, Math.max(0, t / duration_s));
      const width = 30;
      const filled = Math.round(width * share);
      out.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] t = ${t.toPrecision(4)} s of ${duration_s} s (${((now - started) / 1e3).toFixed(0)} s)\u001b[K`);
      drawn = true;
    },
    finish() {
      clear();
      inner.finish();
    },
    abort() {
      clear();
      inner.abort();
    },
  };
}

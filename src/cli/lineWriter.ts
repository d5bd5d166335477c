import { writeSync } from "node:fs";

/**
 * A line to stdout (fd 1) or stderr (fd 2) written at once with write(2), without process.stdout
 * or process.stderr: a plain `ionflux run` prints one summary line, and making Node's stream for
 * it loads about twenty of Node's internal modules (the stream machinery) at start-up. A closed
 * reader (`ionflux run … | head -1`) ends the process quietly with status 0, as epipe.ts does for
 * the streams; a non-blocking descriptor that is full (EAGAIN) is waited for.
 */
export function writeLine(fd: 1 | 2, line: string): void {
  const bytes = Buffer.from(`${line}\n`, "utf8");
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") process.exit(0);
      if (code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // 1 ms, then again
    }
  }
}

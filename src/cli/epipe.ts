/**
 * `ionflux run ... | head -1`: when the reader of stdout (or stderr) goes away, the next write
 * fails with EPIPE. That is the reader's choice, not an error: stop quietly with status 0, as
 * `yes | head -1` does, instead of an unhandled 'error' event and a stack trace.
 */
export function quietOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

quietOnBrokenPipe(process.stdout);
quietOnBrokenPipe(process.stderr);

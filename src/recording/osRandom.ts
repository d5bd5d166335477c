import { closeSync, constants as fsc, openSync, readSync } from "node:fs";

/**
 * `bytes` random bytes from the operating system, as hex: /dev/urandom where there is one (it spares
 * a plain run loading node:crypto, see sha256.ts), else node:crypto's randomBytes. Its own module,
 * so that a test can stand in for it (test/trust/atomic.test.ts plants a link at a known name).
 */
export function osRandomHex(bytes: number): string {
  const b = Buffer.alloc(bytes);
  let fd: number | undefined;
  try {
    fd = openSync("/dev/urandom", fsc.O_RDONLY);
    if (readSync(fd, b, 0, bytes, null) === bytes) return b.toString("hex");
  } catch {
    // no /dev/urandom (Windows): the crypto module's
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return process.getBuiltinModule("node:crypto").randomBytes(bytes).toString("hex");
}

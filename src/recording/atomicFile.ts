import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const TEMP_MARK = ".tmp-";
/** Temporary files older than this are leftovers of a killed run and are removed. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * A file written whole or not at all: bytes go to `.NAME.tmp-PID-N` beside it, and commit()
 * renames that onto NAME (atomic on one file system). discard() removes the temporary file.
 */
export class AtomicFile {
  private fd: number;
  private readonly tempPath: string;
  private static counter = 0;
  private done = false;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tempPath = join(dirname(path), `.${basename(path)}${TEMP_MARK}${process.pid}-${AtomicFile.counter++}`);
    this.fd = openSync(this.tempPath, "w");
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  writeBytes(bytes: Uint8Array): void {
    writeSync(this.fd, bytes);
  }

  /** Publishes what is written so far under the final name (atomically), and goes on writing. */
  snapshot(): void {
    if (this.done) return;
    const copy = join(dirname(this.path), `.${basename(this.path)}${TEMP_MARK}${process.pid}-${AtomicFile.counter++}`);
    copyFileSync(this.tempPath, copy);
    renameSync(copy, this.path);
  }

  commit(): void {
    if (this.done) return;
    closeSync(this.fd);
    renameSync(this.tempPath, this.path);
    this.done = true;
  }

  discard(): void {
    if (this.done) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      /* already gone */
    }
    this.done = true;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the temporary files a killed run left in dir: those whose writing process is gone (the
 * PID is in the name), and any older than an hour (a PID may have been reused).
 */
export function removeStaleTemporaries(dir: string): void {
  if (!existsSync(dir)) return;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(".") || !name.includes(TEMP_MARK)) continue;
    const full = join(dir, name);
    const pid = Number(/\.tmp-(\d+)-\d+$/.exec(name)?.[1]);
    try {
      if ((pid !== process.pid && Number.isInteger(pid) && !alive(pid)) || now - statSync(full).mtimeMs > STALE_AFTER_MS) unlinkSync(full);
    } catch {
      /* raced with another process: fine */
    }
  }
}

/** Writes a small file atomically in one go. */
export function writeFileAtomic(path: string, text: string): void {
  const f = new AtomicFile(path);
  try {
    f.write(text);
    f.commit();
  } catch (e) {
    f.discard();
    throw e;
  }
}

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
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

/** Removes stale temporary files a killed run left in dir. */
export function removeStaleTemporaries(dir: string): void {
  if (!existsSync(dir)) return;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(".") || !name.includes(TEMP_MARK)) continue;
    const full = join(dir, name);
    try {
      if (now - statSync(full).mtimeMs > STALE_AFTER_MS) unlinkSync(full);
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

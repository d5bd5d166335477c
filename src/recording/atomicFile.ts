import {
  closeSync,
  constants as fsc,
  copyFileSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { SimulatorError, UsageError } from "../errors.js";
import { osRandomHex } from "./osRandom.js";
import { sha256Hex } from "./sha256.js";

const TEMP_MARK = ".tmp-";
/**
 * A temporary file not written to for this long is a leftover whoever wrote it (another machine,
 * another container, a reused PID): removed by the next run in its directory.
 */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** An output file could not be written (full disk, no permission, --out naming a file...). */
export class OutputError extends SimulatorError {
  constructor(
    readonly path: string,
    readonly errno: NodeJS.ErrnoException,
    what = "cannot write",
  ) {
    super(`${path}: ${what} (${describeErrno(errno)}); nothing was written under this name`);
    this.name = "OutputError";
  }
}

function describeErrno(e: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EACCES: "permission denied",
    EPERM: "not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a part of the path is a file, not a directory",
    EEXIST: "exists and is not a directory",
    EISDIR: "is a directory",
    EIO: "input/output error",
    ELOOP: "a symbolic link where a file was expected",
  };
  return e.code ? `${e.code}: ${known[e.code] ?? e.message.split("\n")[0]}` : String(e.message ?? e).split("\n")[0]!;
}

let machineTag: string | undefined;
/**
 * Who may judge this temporary file by its PID: this host, this boot and this PID namespace, as
 * a short hash. A process in another container or on another node sharing the folder has another
 * tag, and its files are never judged by PIDs that mean something else there.
 */
export function machineTagOf(): string {
  if (machineTag !== undefined) return machineTag;
  const read = (f: string, link = false) => {
    try {
      return link ? readlinkSync(f) : readFileSync(f, "utf8").trim();
    } catch {
      return "";
    }
  };
  machineTag = sha256Hex([hostname(), read("/proc/sys/kernel/random/boot_id"), read("/proc/self/ns/pid", true)].join("\u0000")).slice(0, 12);
  return machineTag;
}


/** `.NAME.tmp-TAG-PID-RANDOM`: the machine tag, the PID and 48 random bits (unguessable, never reused). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARK}${machineTagOf()}-${process.pid}-${osRandomHex(6)}`);
}

const TEMP_NAME = /\.tmp-([0-9a-f]{12})-(\d+)-[0-9a-f]{12}$/;

/** Opens a new file for writing: it must not exist, and a symbolic link there is never followed. */
function openExclusive(path: string): number {
  return openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
}

/** Writes all of `bytes` (writeSync may write fewer: loop; no progress is an error). */
function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    const n = writeSync(fd, bytes, off, bytes.length - off);
    if (!(n > 0)) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    off += n;
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    /* a directory that cannot be synced (some network file systems): the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A file written whole or not at all. Bytes go to `.NAME.tmp-TAG-PID-RANDOM` beside it, created
 * exclusively (never through a planted link), every write checked to its last byte; commit()
 * fsyncs it and renames it onto NAME (atomic on one file system), then syncs the directory. Any
 * failure (a full disk, a quota) removes the temporary file and throws a one-line OutputError:
 * NAME is then either absent or the complete file of an earlier run.
 */
export class AtomicFile {
  private fd = -1;
  private readonly tempPath: string;
  private done = false;

  constructor(readonly path: string) {
    this.tempPath = tempPathFor(path);
    this.guard(() => {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openExclusive(this.tempPath);
    });
  }

  /** Runs an fs step; on failure the temporary file goes and the error becomes an OutputError. */
  private guard<T>(step: () => T): T {
    try {
      return step();
    } catch (e) {
      this.discard();
      if (e instanceof SimulatorError) throw e;
      throw new OutputError(this.path, e as NodeJS.ErrnoException);
    }
  }

  write(text: string): void {
    this.guard(() => writeAll(this.fd, Buffer.from(text, "utf8")));
  }

  writeBytes(bytes: Uint8Array): void {
    this.guard(() => writeAll(this.fd, bytes));
  }

  /** Publishes what is written so far under the final name (atomically), and goes on writing. */
  snapshot(): void {
    if (this.done) return;
    const copy = tempPathFor(this.path);
    this.guard(() => {
      try {
        copyFileSync(this.tempPath, copy, fsc.COPYFILE_EXCL);
        const fd = openSync(copy, fsc.O_RDONLY | fsc.O_NOFOLLOW);
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(copy, this.path);
      } catch (e) {
        try {
          unlinkSync(copy);
        } catch {
          /* not created */
        }
        throw e;
      }
    });
  }

  commit(): void {
    if (this.done) return;
    this.guard(() => {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tempPath, this.path);
    });
    this.done = true;
    fsyncDir(dirname(this.path));
  }

  discard(): void {
    if (this.done) return;
    this.done = true;
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = -1;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      /* never created, or already gone */
    }
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
 * Removes the temporary files a killed run left in dir, only those provably stale: written on
 * this machine (same host, boot and PID namespace: the tag in the name) by a process that is gone,
 * or not modified for STALE_AFTER_MS. Another machine's or another container's live file is kept.
 */
export function removeStaleTemporaries(dir: string, now = Date.now()): void {
  if (!existsSync(dir)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(".") || !name.includes(TEMP_MARK)) continue;
    const full = join(dir, name);
    const m = TEMP_NAME.exec(name);
    const pid = m ? Number(m[2]) : NaN;
    try {
      const st = lstatSync(full);
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      const deadHere = m !== null && m[1] === machineTagOf() && pid !== process.pid && Number.isInteger(pid) && pid > 0 && !alive(pid);
      if (deadHere || now - st.mtimeMs > STALE_AFTER_MS) unlinkSync(full);
    } catch {
      /* raced with another process: fine */
    }
  }
}

/**
 * The output directory of --out: made if missing; a file there (or in its path) is a usage error
 * naming the option, not a stack trace.
 */
/**
 * mkdir -p, one level at a time: Node's recursive mkdir loops forever under /proc (--out /proc/x
 * hung), where creating a directory fails with ENOENT although its parent exists.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

export function prepareOutDir(dir: string, option = "--out"): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${option} ${dir}: is a file, not a directory`);
    makeDirectories(dir);
  } catch (e) {
    if (e instanceof SimulatorError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOTDIR" || err.code === "EEXIST") throw new UsageError(`${option} ${dir}: a part of the path is a file, not a directory`);
    throw new OutputError(dir, err, "cannot make the directory");
  }
}

/** Writes a small file atomically in one go. */
export function writeFileAtomic(path: string, text: string): void {
  const f = new AtomicFile(path);
  f.write(text);
  f.commit();
}

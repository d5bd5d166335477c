import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

/**
 * Loads a CommonJS bundle (dist/ionflux-run.cjs) through V8's code cache: the bytecode of every
 * function that an earlier run compiled is read back instead of parsing and compiling the source
 * again, which is a third to a half of a short run's own start-up on Node 20 (which has no
 * compile cache for ES modules). The cache is keyed by the V8 version and the bundle's build id
 * (its first line), and looked up beside the bundle (written by the build) and then in a private
 * per-user directory (written after the first run on a Node that the build did not cover).
 * IONFLUX_CODE_CACHE=0 turns it off; a missing, stale or rejected cache only costs the compile.
 */
export interface CachedBundle<T> {
  readonly exports: T;
  /** Writes the cache when none was accepted (call after the work, so that it holds the compiled functions). */
  save(): void;
}

export function loadWithCodeCache<T>(file: string): CachedBundle<T> {
  const source = readFileSync(file, "utf8");
  const enabled = process.env.IONFLUX_CODE_CACHE !== "0";
  const buildId = /^\/\/ build ([0-9a-f]+)/.exec(source)?.[1] ?? "unknown";
  const name = `${basename(file)}.${process.versions.v8}.${process.arch}.${buildId}.cache`;
  const dirs = [process.env.IONFLUX_CODE_CACHE_DIR, dirname(file), userCacheDir()].filter((d): d is string => !!d);
  let cachedData: Buffer | undefined;
  if (enabled) {
    for (const d of dirs) {
      const path = join(d, name);
      if (!existsSync(path) || !trusted(d)) continue;
      try {
        cachedData = readFileSync(path);
        break;
      } catch {
        // unreadable (another user's build): try the next place
      }
    }
  }
  // the CommonJS wrapper, as Node's own loader gives it, plus the URL that stands for import.meta.url
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __ionfluxUrl) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href);
  return {
    exports: module.exports,
    save() {
      if (!enabled || (cachedData && !script.cachedDataRejected)) return;
      try {
        const dir = process.env.IONFLUX_CODE_CACHE_DIR ?? userCacheDir();
        if (!dir) return;
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!trusted(dir)) return;
        // unique per thread too (workers share the PID), without loading worker_threads for it
        const temp = join(dir, `.${name}.${process.pid}-${Math.random().toString(36).slice(2)}`);
        const fd = openSync(temp, "w", 0o644);
        writeSync(fd, script.createCachedData());
        closeSync(fd);
        renameSync(temp, join(dir, name));
      } catch {
        // a cache that cannot be written costs the next run its compile, nothing more
      }
    },
  };
}

/** A private directory of this user's (its code is run: it must not be writable by others). */
function userCacheDir(): string | null {
  const uid = process.getuid?.();
  return uid === undefined ? null : join(tmpdir(), `ionflux-code-cache-${uid}`);
}

function trusted(dir: string): boolean {
  try {
    const s = statSync(dir);
    const uid = process.getuid?.();
    return s.isDirectory() && (s.mode & 0o022) === 0 && (uid === undefined || s.uid === uid || s.uid === 0);
  } catch {
    return false;
  }
}

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { SimulatorError } from "../errors.js";

/**
 * Keys that reach a JavaScript object's prototype when used as a property name. A path or key that
 * comes from data (a scenario file, --set, --vary, sweep.vary, a summary or meta JSON) must never be
 * one of them: `__proto__.execArgv` would give every object of the program (and so the sweep's
 * worker options) a value from the file.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The first forbidden segment of a dotted key or path (`a.__proto__.b` → "__proto__"), if any. */
export function forbiddenSegment(key: string): string | undefined {
  for (const seg of key.split(".")) if (FORBIDDEN_KEYS.has(seg.trim())) return seg.trim();
  return undefined;
}

export function forbiddenKeyMessage(seg: string): string {
  return `the key "${seg}" is not allowed (it names a JavaScript object's prototype, not a field)`;
}

/** A JSON file ionflux itself wrote (a summary, a sweep's meta) that does not read back. */
export class DataFileError extends SimulatorError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "DataFileError";
  }
}

/**
 * JSON.parse for files ionflux reads back (summaries, sweep meta): a one-line error naming the file
 * for malformed JSON, forbidden keys refused, every object without a prototype.
 */
export function parseJsonData(text: string, file: string): unknown {
  let bad: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, function (key, v: unknown) {
      if (FORBIDDEN_KEYS.has(key)) bad ??= key;
      if (v !== null && typeof v === "object" && !Array.isArray(v)) return Object.assign(Object.create(null) as object, v);
      return v;
    });
  } catch (e) {
    throw new DataFileError(file, `not valid JSON (${(e as Error).message.split("\n")[0]}); was it cut short? Run again to rewrite it`);
  }
  if (bad !== undefined) throw new DataFileError(file, forbiddenKeyMessage(bad));
  return value;
}

/**
 * A NAME.summary.json read back (by `ionflux report`): an object whose name is the file's own NAME
 * (so it cannot point at another file) with its resolved scenario; else a one-line error.
 */
export function readSummary(path: string, text = readFileSync(path, "utf8")): Record<string, unknown> {
  const s = parseJsonData(text, path) as Record<string, unknown> | null;
  if (s === null || typeof s !== "object" || Array.isArray(s)) throw new DataFileError(path, "not a JSON object; not a summary ionflux wrote");
  const stem = basename(path).replace(/\.summary\.json$/, "");
  if (s.name !== stem) throw new DataFileError(path, `its name ${JSON.stringify(s.name) ?? "(missing)"} is not the file's name "${stem}"; not a summary ionflux wrote`);
  for (const key of ["scenario_si", "provenance"]) {
    const v = s[key];
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new DataFileError(path, `missing or bad field ${key}; not a summary ionflux wrote (run the scenario again)`);
  }
  return s;
}

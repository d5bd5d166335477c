import { ScenarioError } from "../errors.js";
import { parseQuantity, type QuantityKind } from "./quantity.js";
import type { PathSegment, ScenarioSource } from "./source.js";

/** `channels[2].conductance`, `ions.K.inside`: the field path as a user reads it. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  return out;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Reads typed fields out of the raw YAML tree. Every failure is a ScenarioError naming the file,
 * the line, the field path, what was expected and what was found.
 */
export class FieldReader {
  constructor(
    private readonly source: ScenarioSource,
    private readonly overridden: ReadonlySet<string> = new Set(),
  ) {}

  fail(path: readonly PathSegment[], detail: string): never {
    const shown = formatPath(path);
    const fromSet = [...this.overridden].some((p) => shown === p || shown.startsWith(`${p}.`) || shown.startsWith(`${p}[`));
    throw new ScenarioError(
      this.source.file,
      shown,
      fromSet ? `${detail} (set with --set)` : detail,
      fromSet ? undefined : this.source.lineOf(path),
    );
  }

  /** A mapping whose keys must all be in `allowed`. */
  mapping(path: readonly PathSegment[], value: unknown, allowed: readonly string[]): Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.fail(path, `expected a mapping (key: value lines), got ${describe(value)}`);
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const close = allowed.filter((a) => editDistance(a, key) <= 2);
        this.fail([...path, key], `unknown field${close.length ? `; did you mean "${close[0]}"?` : `; allowed here: ${allowed.join(", ")}`}`);
      }
    }
    return obj;
  }

  list(path: readonly PathSegment[], value: unknown, maxItems: number): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, `expected a list, got ${describe(value)}`);
    if (value.length > maxItems) this.fail(path, `${value.length} items; at most ${maxItems} are allowed`);
    return value;
  }

  required(path: readonly PathSegment[], value: unknown, what: string): unknown {
    if (value === undefined || value === null) this.fail(path, `missing; expected ${what}`);
    return value;
  }

  string(path: readonly PathSegment[], value: unknown, what = "a text"): string {
    if (typeof value !== "string") this.fail(path, `expected ${what}, got ${describe(value)}`);
    return value;
  }

  /** A name used in file names or CSV headers: [A-Za-z0-9._-], not starting with a dot. */
  name(path: readonly PathSegment[], value: unknown): string {
    const s = typeof value === "number" ? String(value) : this.string(path, value, "a name");
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(s)) {
      this.fail(path, `expected a name of letters, digits, ".", "_" or "-" (not starting with "."), got ${describe(value)}`);
    }
    return s;
  }

  number(
    path: readonly PathSegment[],
    value: unknown,
    opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {},
  ): number {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, `expected a plain number, got ${describe(value)}`);
    if (opts.integer && !Number.isInteger(value)) this.fail(path, `expected a whole number, got ${value}`);
    if (opts.min !== undefined && value < opts.min) this.fail(path, `must be at least ${opts.min}, got ${value}`);
    if (opts.max !== undefined && value > opts.max) this.fail(path, `must be at most ${opts.max}, got ${value}`);
    if (opts.exclusiveMin !== undefined && !(value > opts.exclusiveMin)) this.fail(path, `must be greater than ${opts.exclusiveMin}, got ${value}`);
    return value;
  }

  /** A quantity with a unit, converted to SI; `sign` checks the SI value. */
  quantity(
    path: readonly PathSegment[],
    value: unknown,
    kind: QuantityKind,
    sign: "any" | "positive" | "non-negative" = "any",
  ): number {
    if (typeof value === "number") {
      this.fail(path, `expected ${kind.what} with its unit, like "${kind.example}", got the bare number ${value}`);
    }
    if (typeof value !== "string") this.fail(path, `expected ${kind.what} like "${kind.example}", got ${describe(value)}`);
    const parsed = parseQuantity(value, kind);
    if (!parsed.ok) this.fail(path, parsed.problem);
    if (sign === "positive" && !(parsed.value > 0)) this.fail(path, `must be greater than zero, got "${value}"`);
    if (sign === "non-negative" && parsed.value < 0) this.fail(path, `must not be negative, got "${value}"`);
    return parsed.value;
  }
}

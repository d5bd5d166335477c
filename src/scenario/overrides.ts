import { parse as parseYamlValue } from "yaml";
import { UsageError } from "../errors.js";
import { forbiddenKeyMessage, forbiddenSegment } from "./safeData.js";

/** One `--set PATH=VALUE`: the path split at dots, the value read as YAML (numbers stay numbers). */
export interface Override {
  readonly path: readonly string[];
  readonly value: unknown;
  readonly text: string;
}

/**
 * Refuses a field path from data (--set, --vary, sweep.vary) with a segment that names a
 * prototype (`__proto__.execArgv`): `option` is how the user gave it, for the message.
 */
export function checkFieldPath(pathText: string, option: string): void {
  const bad = forbiddenSegment(pathText);
  if (bad !== undefined) throw new UsageError(`${option}: ${forbiddenKeyMessage(bad)}`);
}

/** A YAML value with every mapping rebuilt without a prototype, forbidden keys refused (iterative). */
function cleanValue(value: unknown, where: string): unknown {
  const copyOf = (v: unknown): unknown => (v === null || typeof v !== "object" ? v : Array.isArray(v) ? new Array<unknown>(v.length) : Object.create(null));
  const root = copyOf(value);
  const stack: [unknown, unknown][] = [[value, root]];
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    if (from === null || typeof from !== "object") continue;
    const keys = Array.isArray(from) ? from.map((_, i) => i) : Object.keys(from);
    for (const key of keys) {
      if (typeof key === "string") checkFieldPath(key, where);
      const v = (from as Record<string | number, unknown>)[key];
      const c = copyOf(v);
      (to as Record<string | number, unknown>)[key] = c;
      if (c !== null && typeof c === "object") stack.push([v, c]);
    }
  }
  return root;
}

/** A decimal number as YAML's core schema reads it (and Number does the same). */
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
/** A number with a unit ("0.1 mS/cm^2", "-65 mV", "2e-6 cm/s"): a plain YAML string, itself. */
const PLAIN_QUANTITY = /^-?[0-9][0-9.eE+-]* [A-Za-z][A-Za-z0-9/^*() ]*$/;

/**
 * The value of `--set PATH=VALUE` as YAML reads it. Sweeps give thousands of values like
 * `0.3 mS/cm^2`: those and plain decimals are read without the YAML parser (the same value, as
 * test/scenario/overrides.test.ts checks against it); anything else goes through it.
 */
function overrideValue(text: string): unknown {
  if (PLAIN_NUMBER.test(text)) return Number(text);
  if (PLAIN_QUANTITY.test(text) && !text.endsWith(" ") && !text.includes("  ")) return text;
  try {
    return parseYamlValue(text);
  } catch {
    return text;
  }
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${text}: expected PATH=VALUE, like run.method=rk4`);
  const pathText = text.slice(0, eq).trim();
  const path = pathText.split(".");
  if (path.some((p) => p === "")) throw new UsageError(`--set ${text}: empty segment in the path "${pathText}"`);
  checkFieldPath(pathText, `--set ${pathText}`);
  return { path, value: valueAfter(text, eq, pathText), text };
}

function valueAfter(text: string, eq: number, pathText: string): unknown {
  return cleanValue(overrideValue(text.slice(eq + 1)), `--set ${pathText}`);
}

/**
 * `parseOverride(text).value` for a text whose path part (before the first "=") has been parsed
 * and checked before, in another text: a sweep's sample gives every value once, on a few paths.
 */
export function overrideValueOnKnownPath(text: string): unknown {
  const eq = text.indexOf("=");
  return valueAfter(text, eq, text.slice(0, eq).trim());
}

/** The item of a list a path segment names: its index, or the item whose `name` it is; -1 for none. */
function listItem(list: readonly unknown[], seg: string): number {
  const byIndex = /^\d+$/.test(seg) ? Number(seg) : -1;
  return byIndex >= 0 && byIndex < list.length ? byIndex : list.findIndex((item) => item !== null && typeof item === "object" && (item as { name?: unknown }).name === seg);
}

/**
 * The canonical field path (`channels[1].conductance`) that an override's path names in `tree`, as
 * applyOverrides shows it, without copying the tree; undefined when the path does not resolve
 * to a place in it (applyOverrides then says why).
 */
export function canonicalField(tree: unknown, path: readonly string[]): string | undefined {
  let node: unknown = tree;
  let shown = "";
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (node === null || typeof node !== "object") return undefined;
    if (Array.isArray(node)) {
      const key = listItem(node, seg);
      if (key < 0) return undefined;
      shown += `[${key}]`;
      node = node[key];
    } else {
      shown += shown === "" ? seg : `.${seg}`;
      node = Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return shown;
}

/**
 * Applies overrides to the raw scenario tree (a deep copy is made, its mappings without a
 * prototype). A list item is addressed by its index or by its `name`. Returns the tree and the
 * canonical paths that were set, for messages.
 */
export function applyOverrides(tree: unknown, overrides: readonly Override[]): { tree: unknown; paths: Set<string> } {
  const root = cleanValue(tree, "scenario");
  const paths = new Set<string>();
  for (const o of overrides) {
    if (root === null || typeof root !== "object") throw new UsageError(`--set ${o.text}: the scenario is not a mapping`);
    let node = root as Record<string, unknown> | unknown[];
    let shown = "";
    o.path.forEach((seg, i) => {
      checkFieldPath(seg, `--set ${o.text}`);
      const last = i === o.path.length - 1;
      let key: string | number = seg;
      if (Array.isArray(node)) {
        key = listItem(node, seg);
        if (key < 0) throw new UsageError(`--set ${o.text}: no item "${seg}" in ${shown || "the scenario"} (give its name or index)`);
        shown += `[${key}]`;
      } else {
        shown += shown === "" ? seg : `.${seg}`;
      }
      const container = node as Record<string | number, unknown>;
      const own = Array.isArray(container) || Object.hasOwn(container, key);
      if (last) {
        // `--set run.stop=null` removes a field (back to its default, or to no stop rule)
        if (o.value === null && !Array.isArray(container)) delete container[key];
        else container[key] = o.value;
      } else {
        if (!own || container[key] === undefined || container[key] === null) container[key] = Object.create(null);
        const next = container[key];
        if (next === null || typeof next !== "object") throw new UsageError(`--set ${o.text}: ${shown} is a value, not a mapping or list`);
        node = next as Record<string, unknown> | unknown[];
      }
    });
    paths.add(shown);
  }
  return { tree: root, paths };
}

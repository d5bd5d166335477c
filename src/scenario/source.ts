import { closeSync, constants as fsc, fstatSync, openSync, readSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ScenarioError } from "../errors.js";
import { formatPath } from "./reader.js";
import { forbiddenKeyMessage, forbiddenSegment } from "./safeData.js";

/** Limits on what a scenario file may make us do before validation even starts. */
export const SOURCE_LIMITS = {
  maxBytes: 1 << 20,
  maxAliases: 100,
  maxDepth: 32,
} as const;

export type PathSegment = string | number;

/** The parsed YAML tree plus what is needed to point at a line. */
export interface ScenarioSource {
  readonly file: string;
  readonly text: string;
  readonly tree: unknown;
  lineOf(path: readonly PathSegment[]): number | undefined;
}

/**
 * The YAML tree rebuilt without prototypes, walked iteratively (a list of 300k items or a deep
 * nesting cannot overflow the stack): every mapping becomes an object with no prototype, a key
 * naming a prototype (`__proto__`, `constructor`, `prototype`, also as a dotted segment like
 * `__proto__.x` in sweep.vary) is refused, and nesting is bounded.
 */
function sanitize(tree: unknown, fail: (path: PathSegment[], detail: string) => never): unknown {
  const copyOf = (v: unknown): unknown => (v === null || typeof v !== "object" ? v : Array.isArray(v) ? new Array<unknown>(v.length) : Object.create(null));
  const root = copyOf(tree);
  const stack: { from: unknown; to: unknown; path: PathSegment[] }[] = [{ from: tree, to: root, path: [] }];
  while (stack.length > 0) {
    const { from, to, path } = stack.pop()!;
    if (from === null || typeof from !== "object") continue;
    if (path.length > SOURCE_LIMITS.maxDepth) fail(path, `nesting deeper than ${SOURCE_LIMITS.maxDepth} levels`);
    if (Array.isArray(from)) {
      const out = to as unknown[];
      for (let i = 0; i < from.length; i++) {
        out[i] = copyOf(from[i]);
        if (out[i] !== null && typeof out[i] === "object") stack.push({ from: from[i], to: out[i], path: [...path, i] });
      }
    } else {
      const out = to as Record<string, unknown>;
      for (const key of Object.keys(from)) {
        const bad = forbiddenSegment(key);
        if (bad !== undefined) fail([...path, key], forbiddenKeyMessage(bad));
        const v = (from as Record<string, unknown>)[key];
        out[key] = copyOf(v);
        if (out[key] !== null && typeof out[key] === "object") stack.push({ from: v, to: out[key], path: [...path, key] });
      }
    }
  }
  return root;
}

/** The 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * The first repeated key of any mapping of the document, or the alias one past the limit, by a
 * linear walk (an explicit stack).
 */
function firstDuplicateKey(doc: Document): { key: string; offset: number } | { alias: number; offset: number } | undefined {
  const stack: unknown[] = [doc.contents];
  let aliases = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (++aliases > SOURCE_LIMITS.maxAliases) return { alias: aliases, offset: node.range?.[0] ?? 0 };
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const id = `${typeof key.value}:${String(key.value)}`;
          if (seen.has(id)) return { key: String(key.value), offset: key.range?.[0] ?? 0 };
          seen.add(id);
        } else if (key !== null && typeof key === "object") stack.push(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

/**
 * The offset where flow brackets (`[`, `{`) nest deeper than `max`, or -1: checked on the text
 * before parsing, whose recursion a 400 kB `[[[[...` would overflow. Quoted strings and comments
 * are skipped.
 */
function flowNestingBeyond(text: string, max: number): number {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) quote = c;
    else if (c === "[" || c === "{") {
      if (++depth > max) return i;
    } else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === "\n" && depth === 0) quote = "";
  }
  return -1;
}

/**
 * A scenario file's text: a regular file only (a FIFO, a device like /dev/zero or a directory is
 * refused before reading, without blocking), read up to the size limit and no further.
 */
export function readScenarioText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, fsc.O_RDONLY | fsc.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, "", code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a scenario file" : `cannot read (${code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ScenarioError(file, "", "is a directory, not a scenario file");
    if (!st.isFile()) throw new ScenarioError(file, "", `is ${st.isFIFO() ? "a pipe (FIFO)" : st.isSocket() ? "a socket" : "a device"}, not a scenario file; give a regular file`);
    if (st.size > SOURCE_LIMITS.maxBytes) throw new ScenarioError(file, "", `file is larger than ${SOURCE_LIMITS.maxBytes} bytes (${st.size}); a scenario is a short text`);
    const buf = Buffer.alloc(SOURCE_LIMITS.maxBytes + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    if (n > SOURCE_LIMITS.maxBytes) throw new ScenarioError(file, "", `file is larger than ${SOURCE_LIMITS.maxBytes} bytes; a scenario is a short text`);
    return buf.toString("utf8", 0, n);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(file, "", `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Parses YAML (and so JSON) with size, alias and nesting limits; errors carry file and line. */
export function parseScenarioSource(text: string, file: string): ScenarioSource {
  if (Buffer.byteLength(text, "utf8") > SOURCE_LIMITS.maxBytes) {
    throw new ScenarioError(file, "", `file is larger than ${SOURCE_LIMITS.maxBytes} bytes; a scenario is a short text`);
  }
  const lineCounter = new LineCounter();
  const tooDeep = flowNestingBeyond(text, SOURCE_LIMITS.maxDepth);
  if (tooDeep >= 0) throw new ScenarioError(file, "", `nesting deeper than ${SOURCE_LIMITS.maxDepth} levels`, lineAt(text, tooDeep));
  // yaml's own unique-key check compares each key with all before it (quadratic: 100k keys took
  // minutes); uniqueKeys() below does it with a set
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ScenarioError(file, "", `malformed YAML: ${first.message.split("\n")[0]}`, line);
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate !== undefined && "alias" in duplicate) {
    throw new ScenarioError(file, "", `more than ${SOURCE_LIMITS.maxAliases} YAML aliases (*name); write the values out`, lineCounter.linePos(duplicate.offset).line);
  }
  if (duplicate !== undefined) {
    throw new ScenarioError(file, "", `malformed YAML: Map keys must be unique (duplicate key "${duplicate.key}")`, lineCounter.linePos(duplicate.offset).line);
  }
  let tree: unknown;
  try {
    // aliases are counted above; yaml's own bound (uses × nested expansions) stops an alias bomb
    tree = doc.toJS({ maxAliasCount: 10 * SOURCE_LIMITS.maxAliases });
  } catch (e) {
    throw new ScenarioError(file, "", `YAML rejected: ${(e as Error).message.split("\n")[0]}`);
  }
  const source: ScenarioSource = {
    file,
    text,
    tree: undefined,
    lineOf(path) {
      // the deepest node of the path that exists in the document
      for (let k = path.length; k >= 0; k--) {
        const node = k === 0 ? doc.contents : doc.getIn(path.slice(0, k), true);
        if (node && typeof node === "object" && "range" in node && Array.isArray(node.range)) {
          return lineCounter.linePos(node.range[0] as number).line;
        }
      }
      return undefined;
    },
  };
  const clean = sanitize(tree, (path, detail) => {
    throw new ScenarioError(file, formatPath(path), detail, source.lineOf(path));
  });
  return { ...source, tree: clean, lineOf: source.lineOf };
}


import { LineCounter, parseDocument, type Document } from "yaml";
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

/** Parses YAML (and so JSON) with size, alias and nesting limits; errors carry file and line. */
export function parseScenarioSource(text: string, file: string): ScenarioSource {
  if (Buffer.byteLength(text, "utf8") > SOURCE_LIMITS.maxBytes) {
    throw new ScenarioError(file, "", `file is larger than ${SOURCE_LIMITS.maxBytes} bytes; a scenario is a short text`);
  }
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ScenarioError(file, "", `malformed YAML: ${first.message.split("\n")[0]}`, line);
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: SOURCE_LIMITS.maxAliases });
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


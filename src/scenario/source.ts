import { LineCounter, parseDocument, type Document } from "yaml";
import { ScenarioError } from "../errors.js";

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

function depthOf(value: unknown, depth = 0): number {
  if (depth > SOURCE_LIMITS.maxDepth) return depth;
  if (Array.isArray(value)) return Math.max(depth, ...value.map((v) => depthOf(v, depth + 1)));
  if (value && typeof value === "object") return Math.max(depth, ...Object.values(value).map((v) => depthOf(v, depth + 1)));
  return depth;
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
  if (depthOf(tree) > SOURCE_LIMITS.maxDepth) {
    throw new ScenarioError(file, "", `nesting deeper than ${SOURCE_LIMITS.maxDepth} levels`);
  }
  return {
    file,
    text,
    tree,
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
}

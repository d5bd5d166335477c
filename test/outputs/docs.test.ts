import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/load.js";
import { parseScenarioSource } from "../../src/scenario/source.js";
import { sweepSectionOf } from "../../src/sweep/plan.js";

/**
 * docs/scenario-format.md stays true: every key the validator accepts has a row in its tables
 * (found by reading every `.mapping(PATH, VALUE, KEYS)` call in src/, the one way a scenario
 * mapping's keys are declared), every row names a key the validator accepts, and every file in
 * sims/ validates.
 */
const DOC = "docs/scenario-format.md";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The top-level arguments of the call whose "(" is at `open`, and the index after its ")". */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      const end = text.indexOf(c, i + 1);
      i = end;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return args;
      }
    } else if (c === "," && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error("unbalanced call");
}

const strings = (expr: string) => [...expr.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);

interface Accepted {
  readonly key: string;
  /** "run.stop", "" for the top level, null when the path is computed (a list item, a named ion). */
  readonly prefix: string | null;
  readonly where: string;
}

/** Every (mapping path, key) the scenario readers accept. */
function acceptedKeys(): Accepted[] {
  const out: Accepted[] = [];
  for (const file of sourceFiles("src")) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\.mapping\(/g)) {
      const open = m.index! + m[0].length - 1;
      const [pathExpr, , keysExpr] = callArguments(text, open);
      if (keysExpr === undefined || pathExpr === undefined) continue;
      let keys: string[];
      if (keysExpr.startsWith("[")) keys = strings(keysExpr);
      else {
        const decl = new RegExp(`const ${keysExpr}\\s*=\\s*(\\[[^\\]]*\\])`).exec(text);
        if (!decl) throw new Error(`${file}: cannot find the keys ${keysExpr}`);
        keys = strings(decl[1]!);
      }
      let prefix: string | null = null;
      if (/^\[[^\]]*\]$/.test(pathExpr)) {
        const parts = pathExpr.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "");
        prefix = parts.map((p) => (/^"[^"]*"$/.test(p) ? p.slice(1, -1) : "[]")).join(".").replace(/\.\[\]/g, "[]");
      }
      const line = text.slice(0, m.index).split("\n").length;
      for (const key of keys) out.push({ key, prefix, where: `${file}:${line}` });
    }
  }
  return out;
}

/** The keys in the first cell of the doc's table rows: `run.stop.hold`, `channels[].gates.NAME.power`. */
function documentedKeys(): string[] {
  const text = readFileSync(DOC, "utf8");
  // the key tables live between "## Keys" and the next level-2 heading (the outputs' tables are not keys)
  const section = text.slice(text.indexOf("\n## Keys"), text.indexOf("\n## ", text.indexOf("\n## Keys") + 1));
  return section
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => /^\| `([^`]+)`/.exec(l)![1]!);
}

describe(DOC, () => {
  const accepted = acceptedKeys();
  const documented = documentedKeys();

  it("documents every key the validator accepts", () => {
    // the scan itself must find what is surely there
    expect(accepted.some((a) => a.key === "net-current-below" && a.prefix === "run.stop")).toBe(true);
    expect(accepted.some((a) => a.key === "alpha" && a.prefix === null)).toBe(true);
    expect(accepted.length).toBeGreaterThan(60);
    const missing = accepted
      .filter(({ key, prefix }) => (prefix === null ? !documented.some((d) => d === key || d.endsWith(`.${key}`)) : !documented.includes(prefix ? `${prefix}.${key}` : key)))
      .map(({ key, prefix, where }) => {
        const full = prefix === null ? `….${key}` : prefix ? `${prefix}.${key}` : key;
        return `${where} accepts the key "${full}", which ${DOC} does not document: add a row "| \`${prefix === null ? `SECTION.${key}` : full}\` | unit | default | meaning and limits |" to the table of its section`;
      });
    expect([...new Set(missing)]).toEqual([]);
  });

  it("documents every key of a list item (or named entry) in one section: the section of most of its keys", () => {
    // a mapping read at a computed path (channels[i], ions.NAME, gates.NAME) declares its keys in
    // one call: all of them must be rows of the one section that documents that mapping
    const sites = new Map<string, string[]>();
    for (const a of accepted) if (a.prefix === null) sites.set(a.where, [...(sites.get(a.where) ?? []), a.key]);
    expect(sites.size).toBeGreaterThan(4);
    const problems: string[] = [];
    for (const [where, keys] of sites) {
      const prefixes = new Map<string, number>();
      for (const key of keys) for (const d of documented) if (d.endsWith(`.${key}`)) prefixes.set(d.slice(0, -key.length - 1), (prefixes.get(d.slice(0, -key.length - 1)) ?? 0) + 1);
      const best = [...prefixes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      if (best === undefined) {
        problems.push(`${where}: none of ${keys.join(", ")} is documented`);
        continue;
      }
      for (const key of keys) if (!documented.includes(`${best}.${key}`)) problems.push(`${where} accepts "${key}" in the mapping documented as \`${best}\`, which has no row \`${best}.${key}\``);
    }
    expect(problems).toEqual([]);
  });

  it("documents no key the validator does not accept", () => {
    const keys = new Set(accepted.map((a) => a.key));
    const stale = documented.filter((d) => !keys.has(d.split(".").at(-1)!.replace(/\[\]$/, "")));
    expect(stale).toEqual([]);
  });

  it("every scenario in sims/ validates (and its sweep: section, if any)", () => {
    const files = readdirSync("sims", { recursive: true, encoding: "utf8" }).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => join("sims", f));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      expect(() => loadScenarioFile(file), file).not.toThrow();
      expect(() => sweepSectionOf(parseScenarioSource(readFileSync(file, "utf8"), file)), file).not.toThrow();
    }
  });

  it("the README points users to the docs", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("docs/scenario-format.md");
    expect(readme).toContain("docs/physics.md");
  });
});

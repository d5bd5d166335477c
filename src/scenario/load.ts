import { readFileSync } from "node:fs";
import { ScenarioError } from "../errors.js";
import { applyOverrides, type Override } from "./overrides.js";
import { parseScenarioSource, SOURCE_LIMITS } from "./source.js";
import type { Scenario } from "./types.js";
import { validateScenario } from "./validate.js";

/** Scenario text → validated Scenario (pure: no file access). */
export function parseScenario(text: string, file: string, overrides: readonly Override[] = []): Scenario {
  const source = parseScenarioSource(text, file);
  const { tree, paths } = applyOverrides(source.tree, overrides);
  return validateScenario(source, tree, paths);
}

/** Reads and parses a scenario file; returns the scenario and its text (for the provenance hash). */
export function loadScenarioFile(file: string, overrides: readonly Override[] = []): { scenario: Scenario; text: string } {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > SOURCE_LIMITS.maxBytes) throw new ScenarioError(file, "", `file is larger than ${SOURCE_LIMITS.maxBytes} bytes; a scenario is a short text`);
    text = buf.toString("utf8");
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, "", code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a scenario file" : `cannot read (${code ?? (e as Error).message})`);
  }
  return { scenario: parseScenario(text, file, overrides), text };
}

import { applyOverrides, type Override } from "./overrides.js";
import { parseScenarioSource, readScenarioText } from "./source.js";
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
  const text = readScenarioText(file);
  return { scenario: parseScenario(text, file, overrides), text };
}

import { describe, expect, it } from "vitest";
import { ScenarioError, UsageError } from "../../src/errors.js";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

const GOOD = `name: test-cell
temperature: 37 degC
cell:
  area: 1000 um^2
  volume: 2 pL
bath:
  volume: 8 pL
ions:
  K:  { charge: 1,  inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 10 mM,  outside: 120 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.3 mS/cm^2 }
  - { name: cl-leak, ion: Cl, permeability: 1e-6 cm/s }
initial:
  voltage: -65 mV
run:
  duration: 1 s
  dt: 10 us
`;

function errorOf(text: string, sets: string[] = []): ScenarioError {
  try {
    parseScenario(text, "cell.yaml", sets.map(parseOverride));
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

describe("a valid scenario becomes SI numbers", () => {
  it("converts every unit once at load time", () => {
    const s = parseScenario(GOOD, "cell.yaml");
    expect(s.temperature).toBeCloseTo(310.15, 12);
    expect(s.cell.area).toBeCloseTo(1e-9, 22);
    expect(s.cell.volume).toBeCloseTo(2e-15, 28);
    expect(s.cell.capacitance).toBe(0.01); // default 1 uF/cm^2
    expect(s.bath).toEqual({ kind: "finite", volume: 8e-15 });
    expect(s.ions[0]).toEqual({ name: "K", valence: 1, inside: 140, outside: 4 });
    expect(s.channels[0]).toEqual({ name: "k-leak", ion: "K", kind: "ohmic", conductance: 3, gates: [] });
    expect(s.channels[1]).toMatchObject({ kind: "ghk", permeability: 1e-8 });
    expect(s.initialVoltage).toBe(-0.065);
    expect(s.run).toMatchObject({ method: "bdf", duration: 1, dt: 1e-5, rtol: 1e-6 });
  });
  it("reads molar units with u and µ (U+00B5) and μ (U+03BC), and sphere geometry", () => {
    const text = GOOD.replace("140 mM", "140000 µM").replace("4 mM", "4000 uM").replace("10 mM", "10000000 nM").replace("120 mM", "0.12 M")
      .replace("area: 1000 um^2\n  volume: 2 pL", "shape: sphere\n  radius: 10 μm");
    const s = parseScenario(text, "cell.yaml");
    expect(s.ions[0]!.inside).toBeCloseTo(140, 12);
    expect(s.ions[0]!.outside).toBeCloseTo(4, 12);
    expect(s.ions[1]!.inside).toBeCloseTo(10, 12);
    expect(s.ions[1]!.outside).toBeCloseTo(120, 12);
    expect(s.cell.area).toBeCloseTo(4 * Math.PI * 1e-10, 22);
    expect(s.cell.volume).toBeCloseTo((4 / 3) * Math.PI * 1e-15, 28);
  });
  it("--set overrides fields, list items by name or index, and a clamped bath", () => {
    const s = parseScenario(GOOD, "cell.yaml", [
      "run.method=rk4",
      "channels.k-leak.conductance=1 mS/cm^2",
      "channels.1.permeability=2e-6 cm/s",
      "bath.volume=null",
      "bath.clamped=true",
      "ions.K.inside=150 mM",
    ].map(parseOverride));
    expect(s.run.method).toBe("rk4");
    expect(s.channels[0]).toMatchObject({ conductance: 10 });
    expect(s.channels[1]).toMatchObject({ permeability: 2e-8 });
    expect(s.bath).toEqual({ kind: "clamped" });
    expect(s.ions[0]!.inside).toBe(150);
  });
  it("reads JSON too", () => {
    const json = JSON.stringify({ name: "j", temperature: "20 degC", cell: { area: "1 um^2", volume: "1 fL" }, bath: { clamped: true },
      ions: { K: { charge: 1, inside: "1 mM", outside: "1 mM" } }, initial: { voltage: "0 mV" }, run: { duration: "1 ms" } });
    expect(parseScenario(json, "j.json").temperature).toBeCloseTo(293.15, 12);
  });
});

/** Each bad input: a mutation of GOOD, the field path and a phrase the message must carry. */
const BAD: readonly [string, (t: string) => string, RegExp][] = [
  ["wrong unit dimension", (t) => t.replace("0.3 mS/cm^2", "3 mV"), /cell\.yaml:12: channels\[0\]\.conductance: expected a conductance per area like "0\.3 mS\/cm\^2", got "3 mV"/],
  ["missing unit", (t) => t.replace("inside: 140 mM", "inside: 140"), /cell\.yaml:9: ions\.K\.inside: expected a concentration with its unit, like "140 mM", got the bare number 140/],
  ["missing unit in a string", (t) => t.replace("duration: 1 s", 'duration: "1"'), /run\.duration: expected a time like "10 ms", got "1" \(no unit\)/],
  ["unknown unit", (t) => t.replace("2 pL", "2 parsecs^3"), /cell\.volume: expected a volume like "2 pL", got "2 parsecs\^3"/],
  ["negative concentration", (t) => t.replace("outside: 120 mM", "outside: -120 mM"), /cell\.yaml:10: ions\.Cl\.outside: must not be negative, got "-120 mM"/],
  ["zero concentration where a Nernst potential is needed", (t) => t.replace("inside: 140 mM", "inside: 0 mM"), /ions\.K\.inside: must be greater than zero: channel "k-leak" is ohmic/],
  ["undeclared ion", (t) => t.replace("ion: Cl,", "ion: Ca,"), /cell\.yaml:13: channels\[1\]\.ion: undeclared ion "Ca"; declared: K, Cl/],
  ["duplicate names", (t) => t.replace("name: cl-leak", "name: k-leak"), /channels\[1\]\.name: duplicate name "k-leak"/],
  ["unknown method", (t) => t.replace("dt: 10 us", "dt: 10 us\n  method: cvode"), /run\.method: unknown method "cvode"; known: euler, rk4, rk45, rodas4, bdf/],
  ["zero dt", (t) => t.replace("dt: 10 us", "dt: 0 us"), /run\.dt: must be greater than zero, got "0 us"/],
  ["negative duration", (t) => t.replace("duration: 1 s", "duration: -1 s"), /run\.duration: must be greater than zero/],
  ["zero volume", (t) => t.replace("volume: 8 pL", "volume: 0 pL"), /bath\.volume: must be greater than zero/],
  ["malformed YAML", (t) => t.replace("ions:\n", "ions:\n  K: { charge: 1\n"), /cell\.yaml:\d+: malformed YAML/],
  ["duplicate YAML key", (t) => t.replace("temperature: 37 degC", "temperature: 37 degC\ntemperature: 20 degC"), /cell\.yaml:3: malformed YAML: Map keys must be unique/],
  ["a name with path characters", (t) => t.replace("name: test-cell", "name: ../../etc/passwd"), /cell\.yaml:1: name: expected a name of letters, digits/],
  ["a name starting with a dot", (t) => t.replace("name: test-cell", "name: .hidden"), /name: expected a name/],
  ["a typo in a key", (t) => t.replace("dt: 10 us", "dtt: 10 us"), /run\.dtt: unknown field; did you mean "dt"\?/],
  ["missing temperature", (t) => t.replace("temperature: 37 degC\n", ""), /temperature: missing; expected a temperature/],
  ["a temperature below absolute zero", (t) => t.replace("37 degC", "-300 degC"), /temperature: must be greater than zero/],
  ["a fractional valence", (t) => t.replace("charge: -1", "charge: -1.5"), /ions\.Cl\.charge: expected a whole number/],
  ["both conductance and permeability", (t) => t.replace("conductance: 0.3 mS/cm^2", "conductance: 0.3 mS/cm^2, permeability: 1e-6 cm/s"), /channels\[0\]: give exactly one of conductance/],
  ["a fixed-step run of too many steps", (t) => t.replace("dt: 10 us", "dt: 1 ps\n  method: rk4"), /run\.dt: duration \/ dt = 1\.00e\+12 fixed steps exceeds max-steps/],
  ["a trajectory of too many rows", (t) => t.replace("dt: 10 us", "dt: 10 us\n  record-every: 1 ns"), /run\.record-every: duration \/ record-every = 1\.00e\+9 rows/],
  ["a bad --set value", (t) => t, /run\.rtol: expected a plain number, got "tight" \(set with --set\)/],
];

describe("bad input gets a one-line error naming file, line and field", () => {
  for (const [what, mutate, message] of BAD) {
    it(what, () => {
      const e = errorOf(mutate(GOOD), what === "a bad --set value" ? ["run.rtol=tight"] : []);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain("\n");
    });
  }
  it("a --set path into a missing list item is a usage error", () => {
    expect(() => parseScenario(GOOD, "cell.yaml", [parseOverride("channels.na-leak.conductance=1 mS/cm^2")])).toThrow(UsageError);
    expect(() => parseOverride("run.method")).toThrow(/expected PATH=VALUE/);
  });
  it("YAML alias bombs are refused", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
    expect(errorOf(bomb).message).toMatch(/cell\.yaml(:\d+)?: (YAML rejected|more than 100 YAML aliases)/);
  });
});

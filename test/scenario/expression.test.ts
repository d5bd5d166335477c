import { createRequire } from "node:module";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/errors.js";
import { compileExpression, ExpressionError } from "../../src/scenario/expression.js";
import { compileGateFormula } from "../../src/scenario/gateFormula.js";
import { parseScenario } from "../../src/scenario/load.js";

const math = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
const HH = [
  "0.1*(V+40)/(1-exp(-(V+40)/10))",
  "4*exp(-(V+65)/18)",
  "0.07*exp(-(V+65)/20)",
  "1/(1+exp(-(V+35)/10))",
  "0.01*(V+55)/(1-exp(-(V+55)/10))",
  "0.125*exp(-(V+65)/80)",
  "V > -50 ? 2^(celsius/10) * tanh(V/20) : max(abs(V), 3) - sqrt(t + 1) * k1",
];

describe("gate formulas compile to closures equal to mathjs's own evaluation", () => {
  for (const text of HH) {
    it(text, () => {
      const f = compileExpression(text, ["V", "t", "celsius"], { k1: 0.25 });
      const compiled = math.compile(text);
      const random = seedrandom("expr");
      const x = new Float64Array(3);
      for (let i = 0; i < 10_000; i++) {
        const V = -150 + 250 * random();
        const t = 100 * random();
        const celsius = 40 * random();
        x.set([V, t, celsius]);
        const want = compiled.evaluate({ V, t, celsius, k1: 0.25 }) as number;
        const got = f(x);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
      }
    });
  }
});

describe("removable singularities give their limits", () => {
  it("(V+40)/(1-exp(-(V+40)/10)) at V = -40 is 10 (x/(1-e^-x/10) -> 10), and smooth around it", () => {
    const f = compileGateFormula("0.1*(V+40)/(1-exp(-(V+40)/10))", {});
    const x = Float64Array.of(-40, 0, 6.3);
    expect(f(x)).toBeCloseTo(1, 12); // 0.1 * 10
    // near the point: the series 0.1*10*(1 + u/2 + u^2/12) with u = (V+40)/10
    for (const d of [1e-12, 1e-9, 1e-6, 1e-5, 3e-4]) {
      for (const s of [d, -d]) {
        x[0] = -40 + s;
        const u = s / 10;
        expect(Math.abs(f(x) - (1 + u / 2 + (u * u) / 12))).toBeLessThan(1e-9);
      }
    }
  });
  it("the n gate's alpha at V = -55 is 0.1", () => {
    expect(compileGateFormula("0.01*(V+55)/(1-exp(-(V+55)/10))", {})(Float64Array.of(-55, 0, 6.3))).toBeCloseTo(0.1, 12);
  });
  it("a true pole is refused at load time", () => {
    expect(() => compileGateFormula("1/(V+20)", {})).toThrow(/pole at V = -20/);
  });
});

describe("anything off the whitelist is refused, naming channel, gate and field", () => {
  const forbidden: [string, RegExp][] = [
    ["import({x: 1})", /function 'import' is not allowed/],
    ['evaluate("1")', /function 'evaluate' is not allowed|constants/],
    ['createUnit("x")', /not allowed|constants/],
    ["f(x) = x", /functionassignment expressions are not allowed/],
    ["x = 3", /assignment expressions are not allowed/],
    ["V; 1", /block expressions are not allowed/],
    ["V[1]", /accessor expressions are not allowed/],
    ["V.constructor", /accessor expressions are not allowed|cannot parse/],
    ["constructor", /unknown name 'constructor'/],
    ["__proto__", /unknown name '__proto__'/],
    ["this", /unknown name 'this'/],
    ["W + 1", /unknown name 'W'/],
    ['"abc"', /only numbers may appear/],
    ["[1, 2]", /array expressions are not allowed/],
    ["1:3", /range expressions are not allowed/],
    ["exp(1, 2)", /exp takes 1 arguments, got 2/],
    [`${"(".repeat(100)}V${")".repeat(100)}`, /nested deeper than 60/],
    [`V${"+V".repeat(1200)}`, /characters; at most 2000|too large/],
  ];
  for (const [text, message] of forbidden) {
    it(text.length > 40 ? `${text.slice(0, 40)}...` : text, () => {
      expect(() => compileGateFormula(text, {})).toThrow(ExpressionError);
      expect(() => compileGateFormula(text, {})).toThrow(message);
    });
  }
  it("in a scenario, the message names file, line, channel, gate and field", () => {
    const text = `name: x
temperature: 6.3 degC
cell: { area: 1 um^2, volume: 1 fL }
bath: { clamped: true }
ions:
  Na: { charge: 1, inside: 10 mM, outside: 100 mM }
channels:
  - name: na-fast
    ion: Na
    conductance: 120 mS/cm^2
    gates:
      m: { power: 3, alpha: "constructor(1)", beta: "4*exp(-(V+65)/18)" }
initial: { voltage: -65 mV }
run: { duration: 1 ms }
`;
    let err: unknown;
    try {
      parseScenario(text, "hh.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toBe("hh.yaml:12: channels[0].gates.m.alpha: function 'constructor' is not allowed (allowed: exp, log, log10, sqrt, abs, tanh, sinh, cosh, sin, cos, tan, expm1, min, max, pow)");
  });
});

import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";
import { ghkPhi } from "../physics/ghk.js";
import type { Scenario } from "../scenario/types.js";
import type { Rhs } from "../solvers/types.js";
import type { GateSet } from "./gates.js";
import type { MarkovChannels } from "./markov.js";

/**
 * The right-hand side of one scenario as straight-line JavaScript, with its parameters as literals
 * (as Brian2 and Myokit generate code for a model): no loop over channels, no property loads, so
 * V8 compiles it to little more than the arithmetic. The generated text holds only numbers from
 * the validated scenario and fixed identifiers, never user text. `levels` carries the applied
 * current of the present smooth piece: [total, per ion...] (A/m²).
 * The generic MembraneModel.rhs is the reference it is tested against.
 */
export function compileRhs(scenario: Scenario, levels: Float64Array, thermalVoltage: number, gates: GateSet, markov: MarkovChannels, propensityIndex: number): Rhs {
  const n = scenario.ions.length;
  const idx = (name: string) => scenario.ions.findIndex((i) => i.name === name);
  // parameters live in an array read by the code, so that the code text depends only on the
  // model's structure: a sweep's runs share one compiled (and JIT-optimised) function
  const params: number[] = [];
  const lit = (x: number) => {
    params.push(Number.isFinite(x) ? x : 0);
    return `p[${params.length - 1}]`;
  };
  const lines: string[] = ["const V = y[0];"];
  for (let k = 0; k < n; k++) lines.push(`let I${k} = 0;`);
  scenario.channels.forEach((ch, c) => {
    const k = idx(ch.ion);
    const z = scenario.ions[k]!.valence;
    // the open fraction Π x^p of a gated channel, as plain multiplications
    const factors: string[] = [];
    for (let j = gates.start[c]!; j < gates.end[c]!; j++) for (let p = 0; p < gates.power[j]!; p++) factors.push(`y[${gates.offset + j}]`);
    // a channel simulated event by event: its open fraction, from mo (the Markov counts)
    if (ch.stochastic?.noise === "exact") factors.push(`mo[${c}]`);
    const open = factors.length ? `${factors.join(" * ")} * ` : "";
    if (ch.kind === "ohmic") {
      lines.push(`I${k} += ${open}${lit(ch.conductance)} * (V - ${lit(thermalVoltage / z)} * Math.log(y[${1 + n + k}] / y[${1 + k}]));`);
    } else {
      lines.push(`{ const u = ${lit(z / thermalVoltage)} * V; I${k} += ${open}${lit(ch.permeability * z * F)} * (y[${1 + k}] * phi(u) - y[${1 + n + k}] * phi(-u)); }`);
    }
  });
  const na = idx("Na");
  const kk = idx("K");
  for (const p of scenario.pumps) {
    lines.push(
      `{ const a = y[${1 + na}] / (y[${1 + na}] + ${lit(p.kNa)}); const b = y[${1 + n + kk}] / (y[${1 + n + kk}] + ${lit(p.kK)});`,
      `  const ip = ${lit(p.maxCurrent)} * a * a * a * b * b; I${na} += 3 * ip; I${kk} -= 2 * ip; }`,
    );
  }
  const total = Array.from({ length: n }, (_, k) => `I${k}`).join(" + ");
  lines.push(`d[0] = (-(${total}) + levels[0]) / ${lit(scenario.cell.capacitance)};`);
  const volOut = scenario.bath.kind === "finite" ? scenario.bath.volume : Infinity;
  scenario.ions.forEach((ion, k) => {
    const inFactor = scenario.cell.area / (ion.valence * F * scenario.cell.volume);
    const outFactor = Number.isFinite(volOut) ? scenario.cell.area / (ion.valence * F * volOut) : 0;
    lines.push(`d[${1 + k}] = ${lit(inFactor)} * (-I${k} + levels[${1 + k}]);`);
    lines.push(outFactor === 0 ? `d[${1 + n + k}] = 0;` : `d[${1 + n + k}] = ${lit(outFactor)} * I${k};`);
  });
  for (let j = 0; j < gates.count; j++) lines.push(`d[${gates.offset + j}] = gd[${j}](V, t, y[${gates.offset + j}]);`);
  if (propensityIndex >= 0) lines.push(`d[${propensityIndex}] = a0(V, t);`);
  const body = `"use strict"; return function rhs(t, y, d) {\n  ${lines.join("\n  ")}\n};`;
  let factory = FACTORIES.get(body);
  if (!factory) {
    factory = new Function("phi", "levels", "p", "gd", "mo", "a0", body) as Factory;
    FACTORIES.set(body, factory);
  }
  const gd = Array.from({ length: gates.count }, (_, j) => gates.derivativeFunction(j));
  return factory(ghkPhi, levels, Float64Array.from(params), gd, markov.factor, (V: number, t: number) => markov.totalRate(V, t));
}

type Factory = (
  phi: (u: number) => number,
  levels: Float64Array,
  p: Float64Array,
  gd: ((V: number, t: number, x: number) => number)[],
  mo: Float64Array,
  a0: (V: number, t: number) => number,
) => Rhs;
/** One factory per model structure (bounded: a process sees few structures). */
const FACTORIES = new Map<string, Factory>();

import { ghkPhi, ghkPhiDerivative } from "../physics/ghk.js";
import { attachRhsCode } from "../solvers/rhsCode.js";
import type { JacobianFn, Rhs } from "../solvers/types.js";
import type { StateLayout } from "./layout.js";
import type { Emitter, Mechanism, RateCell, StateBlock } from "./mechanisms/types.js";
import type { ParameterArray, RateSlot } from "./rates.js";

/** The membrane equations' constants (SI): what turns the mechanisms' currents into dy/dt. */
export interface MembraneConstants {
  readonly capacitance: number;
  /** Per ion: dc_in/dt = inFactor·(−I_k + I_app,k), dc_out/dt = outFactor·I_k (0 for a clamped bath). */
  readonly inFactor: Float64Array;
  readonly outFactor: Float64Array;
  /** Per ion: 1 when a mechanism or the electrode moves it; else its concentrations are constant (its charge may be 0). */
  readonly moves: Uint8Array;
  /** When water moves (physics.md "Water and cell volume"), see WaterConstants. */
  readonly water?: WaterConstants;
}

/**
 * Water: the state slot `slot` holds the relative inside volume λ = vol_in/vol_in(0) (dimensionless, so
 * that the step-size control sees it at the scale of 1), dλ/dt = coefficient·(Osm_in − Osm_out) with
 * coefficient = A·P_f·v_w/vol_in(0). The ions' slots then hold amounts over the initial volumes, s = n/vol(0)
 * (mol/m³; the concentrations themselves at t = 0 and whenever a volume is back at its start), so
 * that their equations keep the form ds_in/dt = inFactor·(−I + I_app) with inFactor = A/(z·F·vol_in(0)),
 * and moles and charge stay linear in the state: every method conserves them to round-off.
 * Mechanisms see the concentrations c_in = s_in/λ and c_out = s_out·vol_out(0)/vol_out,
 * vol_out = total − vol_in for a finite bath (the bath loses what the cell gains; a clamped bath keeps
 * its concentrations). The dilution terms −c·(d vol/dt)/vol of physics.md are this change of variables.
 */
export interface WaterConstants {
  readonly slot: number;
  readonly coefficient: number;
  readonly volumeIn0: number;
  /** Infinity for a clamped bath. */
  readonly volumeOut0: number;
  /** vol_in + vol_out (Infinity for a clamped bath). */
  readonly total: number;
}

/**
 * Statements that turn the state `ys` into `y`, the same state with concentrations in the ion slots
 * (generated code reads y everywhere), and define lam = λ, Vo = vol_out, rIn = 1/λ, rOut = vol_out(0)/Vo.
 */
function waterPrologue(code: CodeText, layout: StateLayout, w: WaterConstants): string[] {
  const view = new Float64Array(layout.size);
  const finite = Number.isFinite(w.total);
  const lines = [`const y = ${code.fn(view)};`, "y.set(ys);", `const lam = ys[${w.slot}];`, "const rIn = 1 / lam;"];
  lines.push(finite ? `const Vo = ${code.p(w.total)} - ${code.p(w.volumeIn0)} * lam; const rOut = ${code.p(w.volumeOut0)} / Vo;` : "const Vo = Infinity; const rOut = 1;");
  for (let i = 0; i < layout.ionNames.length; i++) {
    lines.push(`y[${layout.cIn[i]}] = ys[${layout.cIn[i]}] * rIn;`);
    if (finite) lines.push(`y[${layout.cOut[i]}] = ys[${layout.cOut[i]}] * rOut;`);
  }
  return lines;
}

/** dλ/dt = A·P_f·v_w·(Σ c_in − Σ c_out)/vol_in(0), as code over the concentrations y. */
function waterFlux(code: CodeText, layout: StateLayout, w: WaterConstants): string {
  const inside = Array.from(layout.cIn, (s) => `y[${s}]`).join(" + ");
  const outside = Array.from(layout.cOut, (s) => `y[${s}]`).join(" + ");
  return `${code.p(w.coefficient)} * ((${inside}) - (${outside}))`;
}

/** Code text and the values it reads: parameters and closures live in arrays, not in the text. */
class CodeText implements Emitter {
  readonly params: number[] = [];
  readonly closures: (((...args: number[]) => number) | Float64Array)[] = [];
  /** The parameters made from rate cells (rates.ts), written again when the cells change. */
  readonly slots: RateSlot[] = [];
  constructor(private readonly size: number) {}
  p(value: number): string {
    this.params.push(value);
    return `p[${this.params.length - 1}]`;
  }
  rate(cell: RateCell, derive?: (value: number) => number): string {
    this.slots.push({ index: this.params.length, cell, derive });
    return this.p(derive ? derive(cell.value) : cell.value);
  }
  fn(f: ((...args: number[]) => number) | Float64Array): string {
    this.closures.push(f);
    return `fn[${this.closures.length - 1}]`;
  }
  y(slot: number): string {
    return `y[${slot}]`;
  }
  dy(slot: number): string {
    return `d[${slot}]`;
  }
  J(row: number, col: number): string {
    return `J[${row * this.size + col}]`;
  }
}

type Factory<F> = (phi: (u: number) => number, dphi: (u: number) => number, levels: Float64Array, p: Float64Array, fn: unknown[]) => F;
/** One factory per model structure (bounded: a process sees few structures). */
const FACTORIES = new Map<string, Factory<unknown>>();

/**
 * A compiled function, and when it reads no closures (nothing model-specific), a way to make it
 * again for other levels. `parameters` is the array it reads (shared by the functions made again)
 * with its slots made from rate cells.
 */
export interface Compiled<F> {
  readonly fn: F;
  readonly again?: (levels: Float64Array) => F;
  readonly parameters: ParameterArray;
}

function instantiate<F>(args: string, lines: readonly string[], code: CodeText, levels: Float64Array): Compiled<F> {
  const body = `"use strict"; return function (${args}) {\n  ${lines.join("\n  ")}\n};`;
  let factory = FACTORIES.get(body) as Factory<F> | undefined;
  if (!factory) {
    factory = new Function("phi", "dphi", "levels", "p", "fn", body) as Factory<F>;
    if (FACTORIES.size > 1000) FACTORIES.clear();
    FACTORIES.set(body, factory as Factory<unknown>);
  }
  const params = Float64Array.from(code.params);
  const made = factory;
  const fn = made(ghkPhi, ghkPhiDerivative, levels, params, code.closures);
  const parameters = { params, slots: code.slots };
  return code.closures.length ? { fn, parameters } : { fn, parameters, again: (other) => made(ghkPhi, ghkPhiDerivative, other, params, []) };
}

/**
 * The right-hand side as straight-line JavaScript generated from the mechanisms' code (as Brian2
 * and Myokit generate code for a model): no loop over mechanisms, no property loads, so V8
 * compiles it to little more than the arithmetic. `levels` carries the applied current of the
 * present smooth piece: [total, per ion...] (A/m²).
 */
export function compileRhs(layout: StateLayout, mechanisms: readonly Mechanism[], blocks: readonly StateBlock[], k: MembraneConstants, levels: Float64Array): Compiled<Rhs> {
  const n = layout.ionNames.length;
  const code = new CodeText(layout.size);
  const lines: string[] = [...(k.water ? waterPrologue(code, layout, k.water) : []), `const V = ${code.y(layout.V)};`];
  for (let i = 0; i < n; i++) lines.push(`let I${i} = 0;`);
  for (const m of mechanisms) lines.push(currentLine(m, code));
  const total = Array.from({ length: n }, (_, i) => `I${i}`).join(" + ");
  lines.push(`${code.dy(layout.V)} = (-(${total}) + levels[0]) / ${code.p(k.capacitance)};`);
  for (let i = 0; i < n; i++) {
    lines.push(k.moves[i] ? `${code.dy(layout.cIn[i]!)} = ${code.p(k.inFactor[i]!)} * (-I${i} + levels[${1 + i}]);` : `${code.dy(layout.cIn[i]!)} = 0;`);
    lines.push(k.outFactor[i] === 0 || !k.moves[i] ? `${code.dy(layout.cOut[i]!)} = 0;` : `${code.dy(layout.cOut[i]!)} = ${code.p(k.outFactor[i]!)} * I${i};`);
  }
  for (const b of blocks) lines.push(...b.emitDerivative(code));
  if (k.water) lines.push(`${code.dy(k.water.slot)} = ${waterFlux(code, layout, k.water)};`);
  return withRhsCode(instantiate<Rhs>(k.water ? "t, ys, d" : "t, y, d", lines, code, levels), k.water ? "ys" : "y", lines, code, levels);
}

/** Outward current per ion into out[k] at membrane voltage V and state y (concentrations in the ion slots); returns their sum. */
export type IonicCurrentsFn = (V: number, y: Float64Array, out: Float64Array, t: number) => number;

/**
 * The sum of every mechanism's current per ion, from the same emitted code as the right-hand side
 * (observables.ts evaluates it for E_rev and I_net: a loop over mechanism objects cost a W1 run
 * about 8%). Every term is added in the mechanisms' order, as the right-hand side adds them.
 */
export function compileIonicCurrents(layout: StateLayout, mechanisms: readonly Mechanism[]): Compiled<IonicCurrentsFn> {
  const n = layout.ionNames.length;
  const code = new CodeText(layout.size);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`let I${i} = 0;`);
  for (const m of mechanisms) lines.push(currentLine(m, code));
  for (let i = 0; i < n; i++) lines.push(`out[${i}] = I${i};`);
  lines.push(`return ${n === 0 ? "0" : Array.from({ length: n }, (_, i) => `I${i}`).join(" + ")};`);
  return instantiate<IonicCurrentsFn>("V, y, out, t", lines, code, new Float64Array(1));
}

/** One mechanism's current added to the per-ion sums I0, I1, … (its carries times its current). */
function currentLine(m: Mechanism, code: CodeText): string {
  const c = m.emitCurrent(code);
  const [first] = m.carries;
  if (m.carries.length === 1 && first!.coefficient === 1) {
    const add = `I${first!.ion} += ${c.current};`;
    return c.setup?.length ? `{ ${c.setup.join(" ")} ${add} }` : add;
  }
  const adds = m.carries.map((x) => `I${x.ion} += ${x.coefficient === 1 ? "" : `${x.coefficient} * `}ip;`);
  return `{ ${[...(c.setup ?? []), `const ip = ${c.current};`, ...adds].join(" ")} }`;
}

/**
 * The exact Jacobian ∂f/∂y, generated from the mechanisms' partial derivatives by the chain rule
 * through their carries: ∂I_k/∂y_j = Σ coefficient·∂I/∂y_j, then the rows of V (−ΣI/C_m) and of
 * the concentrations. Only nonzero entries are written (J is zeroed first). The applied current
 * is constant within a piece, so it drops out.
 */
export function compileJacobian(layout: StateLayout, mechanisms: readonly Mechanism[], blocks: readonly StateBlock[], k: MembraneConstants, levels: Float64Array): Compiled<JacobianFn> {
  const code = new CodeText(layout.size);
  const cells = new Map<string, { ion: number; slot: number }>();
  const cell = (ion: number, slot: number) => {
    const name = `D${ion}_${slot}`;
    if (!cells.has(name)) cells.set(name, { ion, slot });
    return name;
  };
  const body: string[] = [];
  for (const m of mechanisms) {
    const d = m.emitPartials(code);
    const inner = [...(d.setup ?? [])];
    d.partials.forEach((x, i) => {
      inner.push(`const q${i} = ${x.value};`);
      for (const c of m.carries) inner.push(`${cell(c.ion, x.slot)} += ${c.coefficient === 1 ? "" : `${c.coefficient} * `}q${i};`);
    });
    body.push(`{ ${inner.join(" ")} }`);
  }
  const lines = ["J.fill(0);", ...(k.water ? waterPrologue(code, layout, k.water) : []), `const V = ${code.y(layout.V)};`, ...[...cells.keys()].map((name) => `let ${name} = 0;`), ...body];
  const columns = [...new Set([...cells.values()].map((c) => c.slot))].sort((a, b) => a - b);
  const C = code.p(k.capacitance);
  for (const j of columns) {
    const inColumn = [...cells.entries()].filter(([, c]) => c.slot === j).sort((a, b) => a[1].ion - b[1].ion);
    lines.push(`${code.J(layout.V, j)} = -(${inColumn.map(([name]) => name).join(" + ")}) / ${C};`);
    for (const [name, c] of inColumn) {
      lines.push(`${code.J(layout.cIn[c.ion]!, j)} = -${code.p(k.inFactor[c.ion]!)} * ${name};`);
      if (k.outFactor[c.ion] !== 0) lines.push(`${code.J(layout.cOut[c.ion]!, j)} = ${code.p(k.outFactor[c.ion]!)} * ${name};`);
    }
  }
  for (const b of blocks) lines.push(...b.emitJacobian(code));
  if (k.water) lines.push(...waterJacobian(code, layout, k.water));
  return instantiate<JacobianFn>(k.water ? "t, ys, J" : "t, y, J", lines, code, levels);
}

/**
 * One mechanism's compiled current and partial derivatives on their own (∂I/∂y into a vector of
 * the state's size): what test/core/mechanisms.test.ts checks every registered mechanism with.
 */
export function compileMechanism(layout: StateLayout, m: Mechanism): { current: (t: number, y: Float64Array) => number; partials: (t: number, y: Float64Array, out: Float64Array) => void } {
  const levels = new Float64Array(1);
  const a = new CodeText(layout.size);
  const c = m.emitCurrent(a);
  const current = instantiate<(t: number, y: Float64Array) => number>("t, y", [`const V = ${a.y(layout.V)};`, ...(c.setup ?? []), `return ${c.current};`], a, levels).fn;
  const b = new CodeText(layout.size);
  const d = m.emitPartials(b);
  const lines = ["out.fill(0);", `const V = ${b.y(layout.V)};`, ...(d.setup ?? []), ...d.partials.map((x) => `out[${x.slot}] += ${x.value};`)];
  return { current, partials: instantiate<(t: number, y: Float64Array, out: Float64Array) => void>("t, y, out", lines, b, levels).fn };
}

/**
 * With water, the Jacobian so far is ∂f/∂(concentrations); this adds the volume's row
 * (∂W/∂c_in = coefficient, ∂W/∂c_out = −coefficient) and then applies the chain rule to the state:
 * ∂c_in/∂s_in = rIn, ∂c_out/∂s_out = rOut, ∂c_in/∂λ = −c_in/λ, ∂c_out/∂λ = +c_out·vol_in(0)/Vo (finite bath).
 */
function waterJacobian(code: CodeText, layout: StateLayout, w: WaterConstants): string[] {
  const m = layout.size;
  const finite = Number.isFinite(w.total);
  const lines: string[] = [];
  for (const s of layout.cIn) lines.push(`${code.J(w.slot, s)} = ${code.p(w.coefficient)};`);
  for (const s of layout.cOut) lines.push(`${code.J(w.slot, s)} = -${code.p(w.coefficient)};`);
  const cIn = code.fn(Float64Array.from(layout.cIn));
  const cOut = code.fn(Float64Array.from(layout.cOut));
  lines.push(
    `for (let i = 0; i < ${m}; i++) {`,
    `  const row = i * ${m}; let dv = J[row + ${w.slot}];`,
    `  for (let k = 0; k < ${layout.ionNames.length}; k++) {`,
    `    const a = row + ${cIn}[k]; dv -= J[a] * y[${cIn}[k]] / lam; J[a] *= rIn;`,
    ...(finite ? [`    const b = row + ${cOut}[k]; dv += (J[b] * y[${cOut}[k]] * ${code.p(w.volumeIn0)}) / Vo; J[b] *= rOut;`] : []),
    "  }",
    `  J[row + ${w.slot}] = dv;`,
    "}",
  );
  return lines;
}

/**
 * Attaches the right-hand side's source to the function (and to those `again` makes for other
 * levels), so that a fixed-step method can inline it into its own generated loop (solvers/rhsCode.ts):
 * the body is the function's, its free names bound to the same objects (p the very parameter array,
 * which a model's writeRates writes between runs: the generated loop reads it at each call).
 */
function withRhsCode(compiled: Compiled<Rhs>, state: string, lines: readonly string[], code: CodeText, levels: Float64Array): Compiled<Rhs> {
  const body = lines.join("\n");
  // the compiled function's own array: a model whose rates are written (rates.ts) writes it for both
  const params = compiled.parameters.params;
  const attach = (fn: Rhs, levelsOf: Float64Array, closures: CodeText["closures"]) => {
    attachRhsCode(fn, { args: ["t", state, "d"], body, scope: { phi: ghkPhi, dphi: ghkPhiDerivative, levels: levelsOf, p: params, fn: closures }, constants: ["p"] });
    return fn;
  };
  attach(compiled.fn, levels, code.closures);
  const again = compiled.again;
  return again ? { fn: compiled.fn, parameters: compiled.parameters, again: (other) => attach(again(other), other, []) } : compiled;
}

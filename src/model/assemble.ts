import { ghkPhi, ghkPhiDerivative } from "../physics/ghk.js";
import type { JacobianFn, Rhs } from "../solvers/types.js";
import type { StateLayout } from "./layout.js";
import type { Emitter, Mechanism, StateBlock } from "./mechanisms/types.js";

/** The membrane equations' constants (SI): what turns the mechanisms' currents into dy/dt. */
export interface MembraneConstants {
  readonly capacitance: number;
  /** Per ion: dc_in/dt = inFactor·(−I_k + I_app,k), dc_out/dt = outFactor·I_k (0 for a clamped bath). */
  readonly inFactor: Float64Array;
  readonly outFactor: Float64Array;
  /** Per ion: 1 when a mechanism or the electrode moves it; else its concentrations are constant (its charge may be 0). */
  readonly moves: Uint8Array;
}

/** Code text and the values it reads: parameters and closures live in arrays, not in the text. */
class CodeText implements Emitter {
  readonly params: number[] = [];
  readonly closures: (((...args: number[]) => number) | Float64Array)[] = [];
  constructor(private readonly size: number) {}
  p(value: number): string {
    this.params.push(value);
    return `p[${this.params.length - 1}]`;
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

function instantiate<F>(args: string, lines: readonly string[], code: CodeText, levels: Float64Array): F {
  const body = `"use strict"; return function (${args}) {\n  ${lines.join("\n  ")}\n};`;
  let factory = FACTORIES.get(body) as Factory<F> | undefined;
  if (!factory) {
    factory = new Function("phi", "dphi", "levels", "p", "fn", body) as Factory<F>;
    if (FACTORIES.size > 1000) FACTORIES.clear();
    FACTORIES.set(body, factory as Factory<unknown>);
  }
  return factory(ghkPhi, ghkPhiDerivative, levels, Float64Array.from(code.params), code.closures);
}

/**
 * The right-hand side as straight-line JavaScript generated from the mechanisms' code (as Brian2
 * and Myokit generate code for a model): no loop over mechanisms, no property loads, so V8
 * compiles it to little more than the arithmetic. `levels` carries the applied current of the
 * present smooth piece: [total, per ion...] (A/m²).
 */
export function compileRhs(layout: StateLayout, mechanisms: readonly Mechanism[], blocks: readonly StateBlock[], k: MembraneConstants, levels: Float64Array): Rhs {
  const n = layout.ionNames.length;
  const code = new CodeText(layout.size);
  const lines: string[] = [`const V = ${code.y(layout.V)};`];
  for (let i = 0; i < n; i++) lines.push(`let I${i} = 0;`);
  for (const m of mechanisms) {
    const c = m.emitCurrent(code);
    const [first] = m.carries;
    if (m.carries.length === 1 && first!.coefficient === 1) {
      const add = `I${first!.ion} += ${c.current};`;
      lines.push(c.setup?.length ? `{ ${c.setup.join(" ")} ${add} }` : add);
    } else {
      const adds = m.carries.map((x) => `I${x.ion} += ${x.coefficient === 1 ? "" : `${x.coefficient} * `}ip;`);
      lines.push(`{ ${[...(c.setup ?? []), `const ip = ${c.current};`, ...adds].join(" ")} }`);
    }
  }
  const total = Array.from({ length: n }, (_, i) => `I${i}`).join(" + ");
  lines.push(`${code.dy(layout.V)} = (-(${total}) + levels[0]) / ${code.p(k.capacitance)};`);
  for (let i = 0; i < n; i++) {
    lines.push(k.moves[i] ? `${code.dy(layout.cIn[i]!)} = ${code.p(k.inFactor[i]!)} * (-I${i} + levels[${1 + i}]);` : `${code.dy(layout.cIn[i]!)} = 0;`);
    lines.push(k.outFactor[i] === 0 || !k.moves[i] ? `${code.dy(layout.cOut[i]!)} = 0;` : `${code.dy(layout.cOut[i]!)} = ${code.p(k.outFactor[i]!)} * I${i};`);
  }
  for (const b of blocks) lines.push(...b.emitDerivative(code));
  return instantiate<Rhs>("t, y, d", lines, code, levels);
}

/**
 * The exact Jacobian ∂f/∂y, generated from the mechanisms' partial derivatives by the chain rule
 * through their carries: ∂I_k/∂y_j = Σ coefficient·∂I/∂y_j, then the rows of V (−ΣI/C_m) and of
 * the concentrations. Only nonzero entries are written (J is zeroed first). The applied current
 * is constant within a piece, so it drops out.
 */
export function compileJacobian(layout: StateLayout, mechanisms: readonly Mechanism[], blocks: readonly StateBlock[], k: MembraneConstants, levels: Float64Array): JacobianFn {
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
  const lines = ["J.fill(0);", `const V = ${code.y(layout.V)};`, ...[...cells.keys()].map((name) => `let ${name} = 0;`), ...body];
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
  return instantiate<JacobianFn>("t, y, J", lines, code, levels);
}

/**
 * One mechanism's compiled current and partial derivatives on their own (∂I/∂y into a vector of
 * the state's size): what test/core/mechanisms.test.ts checks every registered mechanism with.
 */
export function compileMechanism(layout: StateLayout, m: Mechanism): { current: (t: number, y: Float64Array) => number; partials: (t: number, y: Float64Array, out: Float64Array) => void } {
  const levels = new Float64Array(1);
  const a = new CodeText(layout.size);
  const c = m.emitCurrent(a);
  const current = instantiate<(t: number, y: Float64Array) => number>("t, y", [`const V = ${a.y(layout.V)};`, ...(c.setup ?? []), `return ${c.current};`], a, levels);
  const b = new CodeText(layout.size);
  const d = m.emitPartials(b);
  const lines = ["out.fill(0);", `const V = ${b.y(layout.V)};`, ...(d.setup ?? []), ...d.partials.map((x) => `out[${x.slot}] += ${x.value};`)];
  return { current, partials: instantiate("t, y, out", lines, b, levels) };
}

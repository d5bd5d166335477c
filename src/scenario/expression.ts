import { createRequire } from "node:module";
import type { MathNode } from "mathjs";

/**
 * User formulas (gate rates like "0.1*(V+40)/(1-exp(-(V+40)/10))") become plain JavaScript
 * closures: mathjs parses the text once, every node is checked against a whitelist, and the tree
 * is turned into nested closures (no eval, no new Function: nothing of the text can reach
 * JavaScript objects, globals, the file system or the clock). Nothing of mathjs runs per step.
 */
export type Compiled = (vars: Float64Array) => number;

export class ExpressionError extends Error {}

/** Plain math functions allowed in expressions, with their arity. */
const FUNCTIONS: Readonly<Record<string, { fn: (...a: number[]) => number; arity: [number, number] }>> = {
  exp: { fn: Math.exp, arity: [1, 1] },
  log: { fn: Math.log, arity: [1, 1] },
  log10: { fn: Math.log10, arity: [1, 1] },
  sqrt: { fn: Math.sqrt, arity: [1, 1] },
  abs: { fn: Math.abs, arity: [1, 1] },
  tanh: { fn: Math.tanh, arity: [1, 1] },
  sinh: { fn: Math.sinh, arity: [1, 1] },
  cosh: { fn: Math.cosh, arity: [1, 1] },
  sin: { fn: Math.sin, arity: [1, 1] },
  cos: { fn: Math.cos, arity: [1, 1] },
  tan: { fn: Math.tan, arity: [1, 1] },
  expm1: { fn: Math.expm1, arity: [1, 1] },
  min: { fn: Math.min, arity: [2, 8] },
  max: { fn: Math.max, arity: [2, 8] },
  pow: { fn: Math.pow, arity: [2, 2] },
};

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  pow: (a, b) => a ** b,
  larger: (a, b) => (a > b ? 1 : 0),
  smaller: (a, b) => (a < b ? 1 : 0),
  largerEq: (a, b) => (a >= b ? 1 : 0),
  smallerEq: (a, b) => (a <= b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
  unequal: (a, b) => (a !== b ? 1 : 0),
};

export const EXPRESSION_LIMITS = { maxLength: 2000, maxNodes: 500, maxDepth: 60 } as const;

let parser: ((text: string) => MathNode) | undefined;
function parse(text: string): MathNode {
  if (!parser) {
    const { create, all } = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
    const math = create(all);
    parser = (t) => math.parse(t);
  }
  return parser(text);
}

/**
 * Compiles `text` over the variables `names` (read from a Float64Array in that order) and the
 * named constants. Throws ExpressionError with a one-line reason for anything off the whitelist.
 */
export function compileExpression(text: string, names: readonly string[], constants: Readonly<Record<string, number>>): Compiled {
  return analyseExpression(text, names, constants).fn;
}

/** A denominator of a formula: where it vanishes, the formula may have a pole (or a removable 0/0). */
export interface Denominator {
  /** The closure the formula itself calls for it (so its values are the formula's own). */
  fn: Compiled;
  /** Its value, written to `values` with those of the denominators within it (both branches of ?:, and, or taken). */
  probe: Compiled;
  /** Nodes of its parse tree: the cost of one evaluation, counted in node evaluations. */
  size: number;
  /** Its nodes' numbers in the parse tree (pre-order): [first, end). */
  span: [number, number];
  /** The variables it reads, bit i for names[i]. */
  reads: bigint;
  /** Its text, for messages. */
  text: string;
  /** "divide" for the denominator of a `/`; else a power's base with a negative exponent or the cos of a tan. */
  kind: "divide" | "power" | "tan";
}

/**
 * A formula compiled with what the pole scan needs: the closure, its size (nodes of the parse
 * tree) and its denominators (those of `/` in the order mathjs's traverse meets them, pre-order,
 * as main's compileDenominators had them; the others after their own children). Each
 * denominator's probe writes its value to `values` (index: its place in `denominators`), and
 * those of the denominators nested in it: evaluating the outermost ones gives all of them for
 * at most one evaluation of the tree, so scanning every denominator over a grid costs the grid's
 * length times the formula's size, however they nest. Denominators are those of `/`, the bases
 * of `^` and pow() with a negative constant exponent, and cos(u) for each tan(u).
 */
export interface AnalysedFormula {
  fn: Compiled;
  size: number;
  denominators: Denominator[];
  values: Float64Array;
}

/** A node built twice: as the formula evaluates it, and as the probe does (recording denominators, all branches taken). */
type Built = { plain: Compiled; probe: Compiled; reads: bigint; size: number; first: number };

/** compileExpression with the denominators and their probes (see AnalysedFormula). */
export function analyseExpression(text: string, names: readonly string[], constants: Readonly<Record<string, number>>): AnalysedFormula {
  if (typeof text !== "string") throw new ExpressionError(`expected a formula as text, got ${JSON.stringify(text)}`);
  if (text.length > EXPRESSION_LIMITS.maxLength) throw new ExpressionError(`formula of ${text.length} characters; at most ${EXPRESSION_LIMITS.maxLength}`);
  let root: MathNode;
  try {
    root = parse(text);
  } catch (e) {
    throw new ExpressionError(`cannot parse "${text}": ${(e as Error).message}`);
  }
  let count = 0;
  const denominators: Denominator[] = [];
  // written by the probes; allocated once the number of denominators is known
  let slots = new Float64Array(0);
  const zeros = new Float64Array(names.length);
  /** The next denominator's place: for `/`, reserved before the node's children are built (pre-order, as mathjs's traverse meets it). */
  const reserve = () => denominators.push(undefined as unknown as Denominator) - 1;
  const denominator = (slot: number, of: Built, fn: Compiled, probe: Compiled, text: string, kind: Denominator["kind"], extra = 0) => {
    denominators[slot] = { fn, probe, size: of.size + extra, span: [of.first, of.first + of.size], reads: of.reads, text, kind };
  };
  /** A power's exponent that reads no variable and is negative: x^-2 is 1/x^2. */
  const negative = (exponent: Built) => exponent.reads === 0n && exponent.plain(zeros) < 0;
  const build = (node: MathNode, depth: number): Built => {
    const first = count;
    const b = buildNode(node, depth);
    b.size = count - first;
    b.first = first;
    return b;
  };
  const buildNode = (node: MathNode, depth: number): Built => {
    if (++count > EXPRESSION_LIMITS.maxNodes) throw new ExpressionError(`formula too large (over ${EXPRESSION_LIMITS.maxNodes} terms)`);
    if (depth > EXPRESSION_LIMITS.maxDepth) throw new ExpressionError(`formula nested deeper than ${EXPRESSION_LIMITS.maxDepth} levels`);
    const n = node as MathNode & Record<string, unknown>;
    const made = (plain: Compiled, probe: Compiled, reads: bigint): Built => ({ plain, probe, reads, size: 0, first: 0 });
    switch (node.type) {
      case "ConstantNode": {
        const v = n.value;
        if (typeof v !== "number" || !Number.isFinite(v)) throw new ExpressionError(`only numbers may appear as constants, not ${JSON.stringify(v)}`);
        const c: Compiled = () => v;
        return made(c, c, 0n);
      }
      case "SymbolNode": {
        const name = String(n.name);
        const index = names.indexOf(name);
        let c: Compiled;
        if (index >= 0) c = (x) => x[index]!;
        else if (Object.prototype.hasOwnProperty.call(constants, name)) {
          const k = constants[name]!;
          c = () => k;
        } else if (name === "pi") c = () => Math.PI;
        else if (name === "e") c = () => Math.E;
        else throw new ExpressionError(`unknown name '${name}' (allowed: ${[...names, ...Object.keys(constants), "pi", "e"].join(", ")})`);
        return made(c, c, index >= 0 ? 1n << BigInt(index) : 0n);
      }
      case "ParenthesisNode":
        return build(n.content as MathNode, depth + 1);
      case "OperatorNode": {
        const fn = String(n.fn);
        const argNodes = n.args as MathNode[];
        const slot = fn === "divide" && argNodes.length === 2 ? reserve() : -1;
        const built = argNodes.map((a) => build(a, depth + 1));
        const reads = built.reduce((r, b) => r | b.reads, 0n);
        if (built.length === 1) {
          const { plain: a, probe: ap } = built[0]!;
          if (fn === "unaryMinus") return made((x) => -a(x), (x) => -ap(x), reads);
          if (fn === "unaryPlus") return made(a, ap, reads);
          if (fn === "not") return made((x) => (a(x) ? 0 : 1), (x) => (ap(x) ? 0 : 1), reads);
        } else if (built.length === 2) {
          const [{ plain: a, probe: ap }, { plain: b, probe: bp }] = built as [Built, Built];
          const op = BINARY[fn];
          if (op) {
            const plain: Compiled = (x) => op(a(x), b(x));
            if (slot >= 0) {
              const probe: Compiled = (x) => (slots[slot] = bp(x));
              denominator(slot, built[1]!, b, probe, argNodes[1]!.toString(), "divide");
              return made(plain, (x) => op(ap(x), probe(x)), reads);
            }
            if (fn === "pow" && negative(built[1]!)) {
              const base = reserve();
              const probe: Compiled = (x) => (slots[base] = ap(x));
              denominator(base, built[0]!, a, probe, argNodes[0]!.toString(), "power");
              return made(plain, (x) => op(probe(x), bp(x)), reads);
            }
            return made(plain, (x) => op(ap(x), bp(x)), reads);
          }
          // the probe evaluates both sides, so that it sees the denominators on either
          if (fn === "and") return made((x) => (a(x) && b(x) ? 1 : 0), (x) => (both(ap(x), bp(x)) ? 1 : 0), reads);
          if (fn === "or") return made((x) => (a(x) || b(x) ? 1 : 0), (x) => (either(ap(x), bp(x)) ? 1 : 0), reads);
        }
        throw new ExpressionError(`operator '${String(n.op)}' is not allowed`);
      }
      case "ConditionalNode": {
        const [c, t, f] = [n.condition, n.trueExpr, n.falseExpr].map((e) => build(e as MathNode, depth + 1)) as [Built, Built, Built];
        const [cc, tc, fc, cp, tp, fp] = [c.plain, t.plain, f.plain, c.probe, t.probe, f.probe];
        return made((x) => (cc(x) ? tc(x) : fc(x)), (x) => pick(cp(x), tp(x), fp(x)), c.reads | t.reads | f.reads);
      }
      case "FunctionNode": {
        const fnNode = n.fn as MathNode & { name?: unknown; type: string };
        const name = fnNode.type === "SymbolNode" ? String(fnNode.name) : "";
        const entry = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
        if (!entry) throw new ExpressionError(`function '${name || "(computed)"}' is not allowed (allowed: ${Object.keys(FUNCTIONS).join(", ")})`);
        const argNodes = n.args as MathNode[];
        const built = argNodes.map((a) => build(a, depth + 1));
        const args = built.map((b) => b.plain);
        const probes = built.map((b) => b.probe);
        const reads = built.reduce((r, b) => r | b.reads, 0n);
        if (args.length < entry.arity[0] || args.length > entry.arity[1]) throw new ExpressionError(`${name} takes ${entry.arity[0]}${entry.arity[1] > entry.arity[0] ? `-${entry.arity[1]}` : ""} arguments, got ${args.length}`);
        const f = entry.fn;
        if (args.length === 1) {
          const [a] = args as [Compiled];
          const [ap] = probes as [Compiled];
          if (name === "tan") {
            // tan(u) = sin(u)/cos(u)
            const slot = reserve();
            const probe: Compiled = (x) => (slots[slot] = Math.cos(ap(x)));
            denominator(slot, built[0]!, (x) => Math.cos(a(x)), probe, `cos(${argNodes[0]!.toString()})`, "tan", 1);
            const inTree: Compiled = (x) => {
              const u = ap(x);
              slots[slot] = Math.cos(u);
              return f(u);
            };
            return made((x) => f(a(x)), inTree, reads);
          }
          return made((x) => f(a(x)), (x) => f(ap(x)), reads);
        }
        if (args.length === 2) {
          const [a, b] = args as [Compiled, Compiled];
          const [ap, bp] = probes as [Compiled, Compiled];
          if (name === "pow" && negative(built[1]!)) {
            const base = reserve();
            const probe: Compiled = (x) => (slots[base] = ap(x));
            denominator(base, built[0]!, a, probe, argNodes[0]!.toString(), "power");
            return made((x) => f(a(x), b(x)), (x) => f(probe(x), bp(x)), reads);
          }
          return made((x) => f(a(x), b(x)), (x) => f(ap(x), bp(x)), reads);
        }
        return made((x) => f(...args.map((a) => a(x))), (x) => f(...probes.map((a) => a(x))), reads);
      }
      default:
        throw new ExpressionError(`${node.type.replace(/Node$/, "").toLowerCase()} expressions are not allowed (only numbers, names, + - * / ^, comparisons, ?: and math functions)`);
    }
  };
  const top = build(root, 0);
  slots = new Float64Array(denominators.length);
  return { fn: top.plain, size: count, denominators, values: slots };
}

const both = (a: number, b: number) => a && b;
const either = (a: number, b: number) => a || b;
const pick = (c: number, a: number, b: number) => (c ? a : b);

/**
 * The numbers of the pole scan (README "Limits"). The scan takes at most `evaluationsPerNode`
 * node evaluations per node of the formula's parse tree, so checking a formula costs time linear
 * in its size: the grid takes 100,001 probes of the denominators that vary with V (at most one
 * evaluation of the tree each, plus one cos per tan), each root at most 200 evaluations of its
 * denominator (bisection), each dip 102 (golden section), each point's pole test 6 of the
 * formula. Past the budget, or past `maxPoints`, the formula is refused. An HH rate takes about
 * 61,000 per node; 8 terms 1/sin(1000 V + k) are refused after a few hundred grid points (they
 * took 294 s before the scan was linear).
 */
export const POLE_SCAN = {
  /** The voltages scanned [mV] and the grid's step. */
  from: -500,
  to: 500,
  step: 0.01,
  /** Half-width [mV] of the interval around a removable singularity where the formula's limit stands in. */
  h: 1e-3,
  /** Most points (2h apart) where the denominators vanish; a formula with more is refused. */
  maxPoints: 100,
  /** A denominator that falls, without changing sign, to this fraction or less of its value one grid step away vanishes there. */
  dip: 1e-6,
  /** Node evaluations the scan may take per node of the formula's parse tree. */
  evaluationsPerNode: 200_000,
} as const;

/** A point where a denominator vanishes: by a sign change, or (dip) touching zero without one, down to `dip`. */
type Root = { v: number; dip?: number };

/** V for messages: 6 digits, and nothing below a microvolt (a root at 3e-15 mV is at 0). */
const mV = (v: number) => `${Number(Number(v.toFixed(6)).toPrecision(6))} mV`;
const brief = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text);

/**
 * Wraps f(V, …) so that at removable singularities (a denominator with a root where f is 0/0)
 * it returns the limit: within ±h of each singular V found on [lo, hi], a quadratic through
 * f(s − h), f(s + h) and their Richardson-extrapolated mean at s, computed far enough from s to
 * keep their digits.
 * The roots are found on a grid of POLE_SCAN.step: sign changes of a denominator (bisected), and
 * its dips (a least |d| on the grid, at most half its neighbours', whose least value, found by
 * golden-section search, is below POLE_SCAN.dip of theirs): even-order roots and near-roots like
 * (V+40.3)^2 or V^2 + 1e-12, which do not change sign. A root where f is not 0/0 (f is not finite
 * at s ± h, or |f| grows toward s on both sides like a pole, |f(s ± h)| > 1.5 |f(s ± 2h)|) is a
 * true pole and is reported. Cost and number of points are bounded (POLE_SCAN); `evaluations`
 * is what the scan took, in node evaluations.
 */
export function removeSingularities(
  formula: AnalysedFormula,
  vIndex: number,
  template: Float64Array,
  range: [number, number] = [POLE_SCAN.from, POLE_SCAN.to],
  h: number = POLE_SCAN.h,
): { fn: Compiled; singular: number[]; evaluations: number } {
  const { fn: f, values } = formula;
  // the denominators that vary with V (the others are constant over the scan: no root to find)
  const bit = 1n << BigInt(vIndex);
  const slots = formula.denominators.map((_, i) => i).filter((i) => (formula.denominators[i]!.reads & bit) !== 0n);
  const denominators = slots.map((i) => formula.denominators[i]!);
  if (denominators.length === 0) return { fn: f, singular: [], evaluations: 0 };
  const D = denominators.length;
  // the outermost of them: their probes write the values of those nested in them too
  const outermost: Denominator[] = [];
  let end = -1;
  for (const d of [...denominators].sort((a, b) => a.span[0] - b.span[0] || b.span[1] - a.span[1])) {
    if (d.span[0] >= end) {
      outermost.push(d);
      end = d.span[1];
    }
  }
  const probeSize = outermost.reduce((k, d) => k + d.size, 0) + denominators.filter((d) => d.kind === "tan").length;
  const probes = outermost.map((d) => d.probe);
  const probe = (vars: Float64Array) => {
    for (let i = 0; i < probes.length; i++) probes[i]!(vars);
  };
  const budget = POLE_SCAN.evaluationsPerNode * formula.size;
  let spent = 0;
  const charge = (cost: number) => {
    spent += cost;
    if (spent > budget) {
      throw new ExpressionError(
        `checking where its denominators vanish in ${range[0]}..${range[1]} mV would take more than ${POLE_SCAN.evaluationsPerNode.toLocaleString("en-US")} evaluations per term of the formula (${formula.size} terms); simplify it`,
      );
    }
  };
  const x = Float64Array.from(template);
  const at = (g: Compiled, v: number) => {
    x[vIndex] = v;
    return g(x);
  };
  const atD = (j: number, v: number) => {
    charge(denominators[j]!.size);
    return at(denominators[j]!.fn, v);
  };
  const tooMany = (where: string) =>
    new ExpressionError(`has more than ${POLE_SCAN.maxPoints} points where a denominator vanishes in ${range[0]}..${range[1]} mV (${where}); a formula may have at most ${POLE_SCAN.maxPoints}, each checked for a pole`);

  // 1. the grid: every denominator's value at once (the probe), its sign changes and dips
  const step = POLE_SCAN.step;
  const found: Root[][] = denominators.map(() => []);
  const lastCounted = new Float64Array(D).fill(NaN);
  const counts = new Int32Array(D);
  const prev = new Float64Array(D);
  const prev2 = new Float64Array(D).fill(NaN);
  charge(probeSize);
  x[vIndex] = range[0];
  probe(x);
  for (let j = 0; j < D; j++) prev[j] = values[slots[j]!]!;
  let vPrev = range[0];
  let vPrev2 = NaN;
  for (let v = range[0] + step; v <= range[1] + 1e-9; v += step) {
    if ((spent += probeSize) > budget) charge(0);
    x[vIndex] = v;
    probe(x);
    for (let j = 0; j < D; j++) {
      const dv = values[slots[j]!]!;
      const dPrev = prev[j]!;
      const dPrev2 = prev2[j]!;
      prev2[j] = dPrev;
      prev[j] = dv;
      let root: Root | undefined;
      if (dv === 0) root = { v };
      else if (dPrev * dv < 0) {
        let a = vPrev;
        let b = v;
        let fa = dPrev;
        for (let i = 0; i < 200 && b - a > 1e-13; i++) {
          const m = 0.5 * (a + b);
          const fm = atD(j, m);
          if (fm === 0) {
            a = b = m;
            break;
          }
          if (fa * fm < 0) b = m;
          else {
            a = m;
            fa = fm;
          }
        }
        root = { v: 0.5 * (a + b) };
      } else if (dPrev * dv > 0 && dPrev * dPrev2 > 0) {
        // no sign change over two steps, and the middle value at most half the larger neighbour's:
        // a dip that the grid does not resolve, the least value of |d| within it found by golden section
        const left = Math.abs(dPrev2);
        const mid = Math.abs(dPrev);
        const right = Math.abs(dv);
        const scale = Math.max(left, right);
        if (mid <= left && mid <= right && mid <= 0.5 * scale) {
          const [s, least] = lowest(j, vPrev2, v, vPrev, mid);
          if (least <= POLE_SCAN.dip * scale) root = { v: s, dip: least };
        }
      }
      if (root) {
        found[j]!.push(root);
        if (!(Math.abs(root.v - lastCounted[j]!) < 2 * h)) {
          lastCounted[j] = root.v;
          if (++counts[j]! > POLE_SCAN.maxPoints) throw tooMany(`${brief(denominators[j]!.text)} vanishes ${counts[j]} times up to V = ${mV(root.v)}`);
        }
      }
    }
    vPrev2 = vPrev;
    vPrev = v;
  }

  /** The least |d_j| in [lo, hi] by golden-section search, starting from the grid's best (at, value). */
  function lowest(j: number, lo: number, hi: number, best: number, bestValue: number): [number, number] {
    const g = (Math.sqrt(5) - 1) / 2;
    let a = lo;
    let b = hi;
    let c = b - g * (b - a);
    let e = a + g * (b - a);
    let fc = Math.abs(atD(j, c));
    let fe = Math.abs(atD(j, e));
    for (let i = 0; i < 100 && b - a > 1e-13; i++) {
      if (fc < bestValue) [best, bestValue] = [c, fc];
      if (fe < bestValue) [best, bestValue] = [e, fe];
      if (fc < fe) {
        b = e;
        e = c;
        fe = fc;
        c = b - g * (b - a);
        fc = Math.abs(atD(j, c));
      } else {
        a = c;
        c = e;
        fc = fe;
        e = a + g * (b - a);
        fe = Math.abs(atD(j, e));
      }
    }
    if (fc < bestValue) [best, bestValue] = [c, fc];
    if (fe < bestValue) [best, bestValue] = [e, fe];
    return [best, bestValue];
  }

  // 2. the distinct points (2h apart), in a sorted array: the sign changes of the denominators of
  // "/" first, in the order the formula has them, then the rest (dips, powers, tan)
  const sorted: number[] = [];
  const order: Root[] = [];
  const add = (r: Root) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sorted[m]! < r.v) lo = m + 1;
      else hi = m;
    }
    if ((lo < sorted.length && Math.abs(sorted[lo]! - r.v) < 2 * h) || (lo > 0 && Math.abs(sorted[lo - 1]! - r.v) < 2 * h)) return;
    sorted.splice(lo, 0, r.v);
    order.push(r);
    if (sorted.length > POLE_SCAN.maxPoints) throw tooMany(`the denominators together`);
  };
  for (let j = 0; j < D; j++) if (denominators[j]!.kind === "divide") for (const r of found[j]!) if (r.dip === undefined) add(r);
  for (let j = 0; j < D; j++) for (const r of found[j]!) if (denominators[j]!.kind !== "divide" || r.dip !== undefined) add(r);

  // 3. each point: a pole, or a removable 0/0
  for (const { v: s, dip } of order) {
    charge(6 * formula.size);
    // near a pole |f| grows like 1/distance (|f(s ± h)| ≈ 2|f(s ± 2h)|); near a removable 0/0 it does not
    const grows = (side: number) => Math.abs(at(f, s + side * h)) > 1.5 * Math.abs(at(f, s + 2 * side * h)) + 1e-300;
    if (!Number.isFinite(at(f, s - h)) || !Number.isFinite(at(f, s + h)) || (grows(1) && grows(-1))) {
      const why =
        dip === undefined
          ? "a denominator vanishes there and"
          : `a denominator falls to ${Number(dip.toPrecision(2))} there without changing sign, a millionth or less of its value ${step} mV away, and`;
      throw new ExpressionError(`has a pole at V = ${mV(s)} (${why} the formula does not have a finite limit)`);
    }
  }
  if (sorted.length === 0) return { fn: f, singular: [], evaluations: spent };

  // 4. the wrapper: the point within h of V, if any, by binary search (points are 2h apart: at most one)
  const points = Float64Array.from(sorted);
  const n = points.length;
  const fn: Compiled = (vars) => {
    const v = vars[vIndex]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (points[m]! < v) lo = m + 1;
      else hi = m;
    }
    const s = lo > 0 && Math.abs(v - points[lo - 1]!) < h ? points[lo - 1]! : lo < n && Math.abs(v - points[lo]!) < h ? points[lo]! : NaN;
    if (s === s) {
      // a quadratic through f(s − h), f(s + h) and the value at s, which is the Richardson
      // extrapolation of the means over ±h and ±2h (error O(h⁴) instead of O(h²))
      const saved = v;
      const at = (x: number) => {
        vars[vIndex] = x;
        return f(vars);
      };
      const left = at(s - h);
      const right = at(s + h);
      const centre = (4 * (0.5 * (left + right)) - 0.5 * (at(s - 2 * h) + at(s + 2 * h))) / 3;
      vars[vIndex] = saved;
      const d = v - s;
      return centre + ((right - left) / (2 * h)) * d + ((left - 2 * centre + right) / (2 * h * h)) * d * d;
    }
    return f(vars);
  };
  return { fn, singular: sorted, evaluations: spent };
}

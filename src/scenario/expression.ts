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
  if (typeof text !== "string") throw new ExpressionError(`expected a formula as text, got ${JSON.stringify(text)}`);
  if (text.length > EXPRESSION_LIMITS.maxLength) throw new ExpressionError(`formula of ${text.length} characters; at most ${EXPRESSION_LIMITS.maxLength}`);
  let root: MathNode;
  try {
    root = parse(text);
  } catch (e) {
    throw new ExpressionError(`cannot parse "${text}": ${(e as Error).message}`);
  }
  let count = 0;
  const build = (node: MathNode, depth: number): Compiled => {
    if (++count > EXPRESSION_LIMITS.maxNodes) throw new ExpressionError(`formula too large (over ${EXPRESSION_LIMITS.maxNodes} terms)`);
    if (depth > EXPRESSION_LIMITS.maxDepth) throw new ExpressionError(`formula nested deeper than ${EXPRESSION_LIMITS.maxDepth} levels`);
    const n = node as MathNode & Record<string, unknown>;
    switch (node.type) {
      case "ConstantNode": {
        const v = n.value;
        if (typeof v !== "number" || !Number.isFinite(v)) throw new ExpressionError(`only numbers may appear as constants, not ${JSON.stringify(v)}`);
        return () => v;
      }
      case "SymbolNode": {
        const name = String(n.name);
        const index = names.indexOf(name);
        if (index >= 0) return (x) => x[index]!;
        if (Object.prototype.hasOwnProperty.call(constants, name)) {
          const c = constants[name]!;
          return () => c;
        }
        if (name === "pi") return () => Math.PI;
        if (name === "e") return () => Math.E;
        throw new ExpressionError(`unknown name '${name}' (allowed: ${[...names, ...Object.keys(constants), "pi", "e"].join(", ")})`);
      }
      case "ParenthesisNode":
        return build(n.content as MathNode, depth + 1);
      case "OperatorNode": {
        const fn = String(n.fn);
        const args = (n.args as MathNode[]).map((a) => build(a, depth + 1));
        if (args.length === 1) {
          const [a] = args as [Compiled];
          if (fn === "unaryMinus") return (x) => -a(x);
          if (fn === "unaryPlus") return a;
          if (fn === "not") return (x) => (a(x) ? 0 : 1);
        } else if (args.length === 2) {
          const [a, b] = args as [Compiled, Compiled];
          const op = BINARY[fn];
          if (op) return (x) => op(a(x), b(x));
          if (fn === "and") return (x) => (a(x) && b(x) ? 1 : 0);
          if (fn === "or") return (x) => (a(x) || b(x) ? 1 : 0);
        }
        throw new ExpressionError(`operator '${String(n.op)}' is not allowed`);
      }
      case "ConditionalNode": {
        const c = build(n.condition as MathNode, depth + 1);
        const t = build(n.trueExpr as MathNode, depth + 1);
        const f = build(n.falseExpr as MathNode, depth + 1);
        return (x) => (c(x) ? t(x) : f(x));
      }
      case "FunctionNode": {
        const fnNode = n.fn as MathNode & { name?: unknown; type: string };
        const name = fnNode.type === "SymbolNode" ? String(fnNode.name) : "";
        const entry = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
        if (!entry) throw new ExpressionError(`function '${name || "(computed)"}' is not allowed (allowed: ${Object.keys(FUNCTIONS).join(", ")})`);
        const args = (n.args as MathNode[]).map((a) => build(a, depth + 1));
        if (args.length < entry.arity[0] || args.length > entry.arity[1]) throw new ExpressionError(`${name} takes ${entry.arity[0]}${entry.arity[1] > entry.arity[0] ? `-${entry.arity[1]}` : ""} arguments, got ${args.length}`);
        const f = entry.fn;
        if (args.length === 1) {
          const [a] = args as [Compiled];
          return (x) => f(a(x));
        }
        if (args.length === 2) {
          const [a, b] = args as [Compiled, Compiled];
          return (x) => f(a(x), b(x));
        }
        return (x) => f(...args.map((a) => a(x)));
      }
      default:
        throw new ExpressionError(`${node.type.replace(/Node$/, "").toLowerCase()} expressions are not allowed (only numbers, names, + - * / ^, comparisons, ?: and math functions)`);
    }
  };
  return build(root, 0);
}

/** The denominators of a formula (as compiled functions), where a removable 0/0 may hide. */
export function compileDenominators(text: string, names: readonly string[], constants: Readonly<Record<string, number>>): Compiled[] {
  const out: Compiled[] = [];
  parse(text).traverse((node) => {
    const n = node as MathNode & Record<string, unknown>;
    if (node.type === "OperatorNode" && n.fn === "divide") out.push(compileExpression((n.args as MathNode[])[1]!.toString(), names, constants));
  });
  return out;
}

/**
 * Wraps f(V, …) so that at removable singularities (a denominator with a root where f is 0/0)
 * it returns the limit: within ±h of each singular V found on [lo, hi], the linear interpolation
 * between f(s − h) and f(s + h), which are computed far enough from s to keep their digits.
 * A root where f is not 0/0 there is a true pole and is reported.
 */
export function removeSingularities(
  f: Compiled,
  denominators: readonly Compiled[],
  vIndex: number,
  template: Float64Array,
  range: [number, number] = [-500, 500],
  h = 1e-3,
): { fn: Compiled; singular: number[] } {
  const singular: number[] = [];
  const x = Float64Array.from(template);
  const at = (g: Compiled, v: number) => {
    x[vIndex] = v;
    return g(x);
  };
  const step = 0.01;
  for (const d of denominators) {
    let vPrev = range[0];
    let dPrev = at(d, vPrev);
    for (let v = range[0] + step; v <= range[1] + 1e-9; v += step) {
      const dv = at(d, v);
      let root = NaN;
      if (dv === 0) root = v;
      else if (dPrev * dv < 0) {
        let a = vPrev;
        let b = v;
        let fa = dPrev;
        for (let i = 0; i < 200 && b - a > 1e-13; i++) {
          const m = 0.5 * (a + b);
          const fm = at(d, m);
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
        root = 0.5 * (a + b);
      }
      if (Number.isFinite(root) && !singular.some((s) => Math.abs(s - root) < 2 * h)) singular.push(root);
      vPrev = v;
      dPrev = dv;
    }
  }
  for (const s of singular) {
    // near a pole |f| grows like 1/distance (|f(s ± h)| ≈ 2|f(s ± 2h)|); near a removable 0/0 it does not
    const grows = (side: number) => Math.abs(at(f, s + side * h)) > 1.5 * Math.abs(at(f, s + 2 * side * h)) + 1e-300;
    if (!Number.isFinite(at(f, s - h)) || !Number.isFinite(at(f, s + h)) || (grows(1) && grows(-1))) {
      throw new ExpressionError(`has a pole at V = ${Number(s.toPrecision(6))} (a denominator vanishes there and the formula does not have a finite limit)`);
    }
  }
  if (singular.length === 0) return { fn: f, singular };
  const points = Float64Array.from(singular);
  const fn: Compiled = (vars) => {
    const v = vars[vIndex]!;
    for (let i = 0; i < points.length; i++) {
      const s = points[i]!;
      if (Math.abs(v - s) < h) {
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
    }
    return f(vars);
  };
  return { fn, singular };
}

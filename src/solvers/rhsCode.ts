import type { Rhs } from "./types.js";

/**
 * A right-hand side that is also available as JavaScript source, so that a method can generate a
 * whole loop of steps around it (explicit/rk4Fused.ts) instead of calling it once per stage. Nothing
 * here knows what the equations are: the body is straight-line code that reads the state array and
 * the time and assigns the derivative array, and the free names it reads are given with their values.
 */
export interface RhsCode {
  /** The function's parameter names: time, state, derivative (e.g. ["t", "y", "d"]). */
  readonly args: readonly [string, string, string];
  /** The statements of the function: the very code the Rhs runs. */
  readonly body: string;
  /** The free names the body reads (arrays, functions), and their values: the Rhs's own objects. */
  readonly scope: Readonly<Record<string, unknown>>;
  /** Names of scope entries that are typed arrays whose contents never change: they may be read once. */
  readonly constants?: readonly string[];
}

const CODE = new WeakMap<Rhs, RhsCode>();

/** Records that `rhs` runs exactly `code` (the code generator calls this for what it makes). */
export function attachRhsCode(rhs: Rhs, code: RhsCode): void {
  CODE.set(rhs, code);
}

/** The source of `rhs`, when it was generated (attachRhsCode); undefined for any other function. */
export function rhsCodeOf(rhs: Rhs): RhsCode | undefined {
  return CODE.get(rhs);
}

/**
 * How the body of an RhsCode can be inlined into generated code: every read of the state, every
 * write of the derivative and every read of a constant array, by slot, so that they can become
 * local variables. A name used any other way (passed whole to a function, written, read with a
 * computed index) keeps its array.
 */
export interface InlinePlan {
  readonly code: RhsCode;
  readonly size: number;
  /** The state is read only as y[k] (literal k < size) and never written: it can be n scalars. */
  readonly scalarState: boolean;
  /** The constants read only as c[k]: their entries can be loaded once into locals. */
  readonly scalarConstants: readonly string[];
}

const ident = (name: string) => name.replace(/[$]/g, "\\$");
/** Occurrences of `name` as an identifier (not a property, not part of a longer name). */
const uses = (body: string, name: string) => [...body.matchAll(new RegExp(`(?<![\\w$.])${ident(name)}(?![\\w$])`, "g"))].length;
const indexed = (name: string) => new RegExp(`(?<![\\w$.])${ident(name)}\\[(\\d+)\\]`, "g");
/** An indexed use that writes: y[3] = …, y[3] += …, y[3]++, --y[3]. */
const writes = (body: string, name: string) =>
  new RegExp(`(?<![\\w$.])${ident(name)}\\[\\d+\\]\\s*(?:(?:[-+*/%&|^]|\\*\\*|<<|>>>?)?=(?!=)|\\+\\+|--)`).test(body) || new RegExp(`(?:\\+\\+|--)\\s*${ident(name)}\\[`).test(body);

/** Whether every use of `name` in `body` is `name[k]` with a literal k < size (reads only when `readOnly`). */
function onlyIndexed(body: string, name: string, size: number, readOnly: boolean): boolean {
  const all = uses(body, name);
  const slots = [...body.matchAll(indexed(name))].map((m) => Number(m[1]));
  return slots.length === all && slots.every((k) => k < size) && !(readOnly && writes(body, name));
}

/**
 * The plan for inlining `code` into a function over `size` state entries, or undefined when its
 * body cannot be inlined safely: it must not contain `$` (the generated code's own names), strings,
 * comments, `return`, `arguments`, `this` or control flow (a derivative must be assigned on every
 * path, exactly as the function assigns it), and it must only assign the derivative by slot, d[k] = …,
 * never read it.
 */
export function inlinePlan(code: RhsCode, size: number): InlinePlan | undefined {
  const body = code.body;
  if (/[$'"`\\]|\/\/|\/\*|\?/.test(body)) return undefined;
  if (/\b(?:return|arguments|this|if|else|for|while|do|switch|case|function|eval|with|yield|await)\b/.test(body)) return undefined;
  const [t, y, d] = code.args;
  const names = [t, y, d, ...Object.keys(code.scope)];
  if (new Set(names).size !== names.length || names.some((n) => !/^[A-Za-z_][\w]*$/.test(n))) return undefined;
  // the derivative: only d[k] = … (never read, never passed on)
  const assigned = [...body.matchAll(new RegExp(`(?<![\\w$.])${d}\\[(\\d+)\\]\\s*=(?!=)`, "g"))];
  if (assigned.length !== uses(body, d) || assigned.some((m) => Number(m[1]) >= size)) return undefined;
  return {
    code,
    size,
    scalarState: onlyIndexed(body, y, size, true),
    scalarConstants: (code.constants ?? []).filter((c) => onlyIndexed(body, c, Infinity, true)),
  };
}

/** The name of constant `c`'s entry k as a local (declared once by constantDeclarations). */
const constantLocal = (c: string, k: string | number) => `$c_${c}_${k}`;

/** `const $c_p_3 = p[3];` for every constant entry the body reads (scalarConstants of the plan). */
export function constantDeclarations(plan: InlinePlan): string[] {
  const out = new Set<string>();
  for (const c of plan.scalarConstants) for (const m of plan.code.body.matchAll(indexed(c))) out.add(`const ${constantLocal(c, m[1]!)} = ${c}[${m[1]}];`);
  return [...out];
}

/**
 * The body as a block of statements for generated code: time `t` (an expression), the state either
 * as local names (state[k]; plan.scalarState) or as an array name, the derivative into local names
 * out[k] (declared by the caller; a slot the body does not assign keeps its value).
 */
export function inlineBody(plan: InlinePlan, t: string, state: readonly string[] | string, out: readonly string[]): string {
  const [tName, yName, dName] = plan.code.args;
  let body = plan.code.body;
  for (const c of plan.scalarConstants) body = body.replace(indexed(c), (_, k: string) => constantLocal(c, k));
  body = body.replace(new RegExp(`(?<![\\w$.])${dName}\\[(\\d+)\\]`, "g"), (_, k: string) => out[Number(k)]!);
  const head = [`const ${tName} = ${t};`];
  if (typeof state === "string") head.push(`const ${yName} = ${state};`);
  else {
    if (!plan.scalarState) throw new Error("inlineBody: this body needs its state as an array");
    body = body.replace(indexed(yName), (_, k: string) => state[Number(k)]!);
  }
  return `{\n${[...head, body].join("\n")}\n}`;
}

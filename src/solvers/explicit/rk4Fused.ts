import { constantDeclarations, inlineBody, inlinePlan, type RhsCode } from "../rhsCode.js";
import type { FusedAdvance, FusedRun, FusedSetup } from "../types.js";

type Generated = (run: FusedRun, scope: readonly unknown[]) => number;
/**
 * One function per generated text (bounded: a process sees few model structures), the model's
 * objects passed to it per call: models built again from one scenario (benchmarks, sweeps) run the
 * same function, already optimized, rather than a fresh closure the JIT would optimize again.
 */
const GENERATED = new Map<string, Generated>();

/**
 * The fused loop of fixedStepLoop.ts for classic RK4 as one generated function: the four stages
 * with the right-hand side's body inlined, the state, the stages and the compensation in local
 * variables, no call per stage and no array between them. Every operation is the one Rk4Kernel
 * and integrateFixedStep() perform, in the same order (stage = y + h/2·k1, …, dy = h/6·(k1 + 2k2 +
 * 2k3 + k4), yEnd = y + dy, Kahan's compensated sum, f(tNext, yEnd) for the next step's k1), so the
 * results are theirs to the bit: only where values live changes. Undefined when the body cannot be
 * inlined (rhsCode.ts: inlinePlan).
 */
export function rk4FusedAdvance(code: RhsCode, n: number, setup: FusedSetup): FusedAdvance | undefined {
  const plan = inlinePlan(code, n);
  if (!plan) return undefined;
  const slots = Array.from({ length: n }, (_, i) => i);
  const names = (prefix: string) => slots.map((i) => `$${prefix}${i}`);
  const [y, l, f, a, q, e, k2, k3, k4, s, dy, yEnd] = ["y", "l", "f", "a", "q", "e", "k2_", "k3_", "k4_", "s", "d", "n"].map(names) as [string[], string[], string[], string[], string[], string[], string[], string[], string[], string[], string[], string[]];
  const each = (fmt: (i: number) => string) => slots.map(fmt).join(" ");
  /** The state of a stage, y + c·k, as scalars or written to the array $S. */
  const stage = (c: string, k: readonly string[]) => (plan.scalarState ? `const ${slots.map((i) => `${s[i]} = ${y[i]} + ${c} * ${k[i]}`).join(", ")};` : each((i) => `$S[${i}] = ${y[i]} + ${c} * ${k[i]};`));
  const stageState = plan.scalarState ? s : "$S";
  const endState = plan.scalarState ? yEnd : "$S";
  const watched = setup.watched;
  const lines = [
    "const $Y = $r.y, $L = $r.lost, $FB = $r.fB;",
    `let ${slots.map((i) => `${y[i]} = $Y[${i}], ${l[i]} = $L[${i}], ${f[i]} = $FB[${i}], ${a[i]} = 0, ${q[i]} = 0, ${e[i]} = 0`).join(", ")};`,
    ...constantDeclarations(plan),
    "let $t = $r.t, $index = $r.index, $min = $r.minimum, $wasBelow = $r.wasBelow, $h = 0, $tA = 0, $show = false, $taken = 0;",
    "const $start = $r.segmentStart, $end = $r.segmentEnd, $dt = $r.dt, $due = $r.due, $limit = $r.limit, $scale = $r.scale, $threshold = $r.threshold;",
    "while ($t < $end && $taken < $limit) {",
    // the step's end on the grid, exactly as integrateFixedStep() places it
    "let $tNext = $start + $index * $dt;",
    "if ($tNext >= $end - 1e-9 * $dt) $tNext = $end;",
    "const $hh = $tNext - $t;",
    "if (!($hh > 0)) break;",
    "const $h2 = 0.5 * $hh;",
    `let ${[...k2, ...k3, ...k4].map((v) => `${v} = 0`).join(", ")};`,
    `{ ${stage("$h2", f)}`,
    inlineBody(plan, "$t + $h2", stageState, k2),
    "}",
    `{ ${stage("$h2", k2)}`,
    inlineBody(plan, "$t + $h2", stageState, k3),
    "}",
    `{ ${stage("$hh", k3)}`,
    inlineBody(plan, "$t + $hh", stageState, k4),
    "}",
    "const $h6 = $hh / 6;",
    `const ${slots.map((i) => `${dy[i]} = $h6 * (${f[i]} + 2 * ${k2[i]} + 2 * ${k3[i]} + ${k4[i]})`).join(", ")};`,
    `const ${slots.map((i) => `${yEnd[i]} = ${y[i]} + ${dy[i]}`).join(", ")};`,
    // NaN or ±Infinity, or refused: the caller takes this step itself and reports it
    `if (${slots.map((i) => `${yEnd[i]} - ${yEnd[i]} !== 0`).join(" || ") || "false"}) break;`,
    ...(setup.isAdmissible ? [each((i) => `$Z[${i}] = ${yEnd[i]};`), "if (!$adm($Z)) break;"] : []),
    each((i) => `${a[i]} = ${y[i]}; ${q[i]} = ${f[i]}; ${e[i]} = ${yEnd[i]};`),
    ...slots.map((i) => `{ const $add = ${dy[i]} - ${l[i]}; const $sum = ${y[i]} + $add; ${l[i]} = $sum - ${y[i]} - $add; ${y[i]} = $sum; }`),
    "$tA = $t; $t = $tNext; $h = $hh; $taken++; $index++;",
    // f at the step's end: the next step's k1
    ...(plan.scalarState ? [] : [each((i) => `$S[${i}] = ${yEnd[i]};`)]),
    inlineBody(plan, "$t", endState, f),
    ...Array.from(setup.trackMinimum, (k) => `if (${y[k]} < $min) $min = ${y[k]};`),
    "if ($t >= $due) $show = true;",
    ...(watched === undefined ? [] : [`const $below = Math.abs($scale * ${f[watched]}) < $threshold;`, "if ($below !== $wasBelow) $show = true;", "$wasBelow = $below;"]),
    "if ($show) break;",
    "}",
    `${each((i) => `$Y[${i}] = ${y[i]}; $L[${i}] = ${l[i]}; $FB[${i}] = ${f[i]};`)}`,
    `if ($taken > 0) { const $YA = $r.yA, $FA = $r.fA, $YB = $r.yB; ${each((i) => `$YA[${i}] = ${a[i]}; $FA[${i}] = ${q[i]}; $YB[${i}] = ${e[i]};`)} $r.h = $h; $r.tA = $tA; }`,
    "$r.t = $t; $r.index = $index; $r.minimum = $min; $r.wasBelow = $wasBelow; $r.show = $show;",
    "return $taken;",
  ];
  if (watched !== undefined && !(watched >= 0 && watched < n)) return undefined;
  if (setup.trackMinimum.some((k) => !(k >= 0 && k < n))) return undefined;
  const scopeNames = Object.keys(code.scope);
  // the model's objects, then the admissibility test and two scratch arrays
  const head = [`const ${[...scopeNames, "$adm", "$Z", "$S"].map((name, i) => `${name} = $scope[${i}]`).join(", ")};`];
  const text = `"use strict";\nreturn function advance($r, $scope) {\n${[...head, ...lines].join("\n")}\n};`;
  let step = GENERATED.get(text);
  if (!step) {
    try {
      step = new Function(text)() as Generated;
    } catch {
      return undefined; // a body this generator does not understand: the kernel's own steps are taken
    }
    if (GENERATED.size > 200) GENERATED.clear();
    GENERATED.set(text, step);
  }
  const generated = step;
  const scope = [...scopeNames.map((name) => code.scope[name]), setup.isAdmissible, new Float64Array(n), new Float64Array(n)];
  return (run) => generated(run, scope);
}

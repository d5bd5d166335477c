import seedrandom from "seedrandom";
import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "../physics/constants.js";
import { ghkCurrentDensity, ghkPhi, ghkPhiDerivative } from "../physics/ghk.js";
import { nernstPotential } from "../physics/nernst.js";
import { naKPumpCurrent } from "../physics/pump.js";
import { findRootOfIncreasing } from "../numerics/roots.js";
import type { Scenario } from "../scenario/types.js";
import type { OdeProblem } from "../solvers/types.js";
import { compileRhs } from "./compiledRhs.js";
import { ClampCommand } from "./clamp.js";
import { GateSet } from "./gates.js";
import { MarkovChannels } from "./markov.js";
import { Stimulus } from "./stimulus.js";

const OHMIC = 0;
const GHK = 1;

/**
 * The membrane model of physics.md as an ODE in SI units.
 * State y = [V, c_in[0..n-1], c_out[0..n-1], gates...] (V in volts, c in mol/m³, gates unitless).
 * With a clamped bath the c_out entries stay in the state (so the layout never changes) but their
 * derivatives are zero.
 * The right-hand side and the Jacobian use flat typed arrays and allocate nothing.
 */
export class MembraneModel {
  readonly ionCount: number;
  readonly size: number;
  readonly ionNames: readonly string[];
  readonly valence: Float64Array;
  readonly area: number;
  readonly volumeIn: number;
  /** Bath volume (m³), Infinity when clamped. */
  readonly volumeOut: number;
  readonly capacitance: number;
  readonly temperature: number;
  readonly stimulus: Stimulus;
  readonly gates: GateSet;
  /** Channels simulated event by event; their open fractions scale the channels' currents. */
  readonly markov: MarkovChannels;
  /** State index of the integrated event propensity Λ (exact stochastic channels), or -1. */
  readonly propensityIndex: number;
  /** The voltage clamp, when the scenario has one: V then follows its command. */
  readonly clamp: ClampCommand | undefined;
  readonly y0: Float64Array;
  /** RT/F, volts. */
  private readonly thermalVoltage: number;
  // channels, flattened
  private readonly channelKind: Int32Array;
  private readonly channelIon: Int32Array;
  /** g (S/m²) for ohmic channels, P (m/s) for GHK channels. */
  private readonly channelScale: Float64Array;
  // pumps
  private readonly pumpMax: Float64Array;
  private readonly pumpKNa: Float64Array;
  private readonly pumpKK: Float64Array;
  private readonly naIndex: number;
  private readonly kIndex: number;
  // work arrays
  private readonly ionCurrent: Float64Array;
  private readonly appliedPerIon: Float64Array;
  private readonly dCurrent: Float64Array;
  private readonly scratch: Float64Array;
  /** Applied current of the smooth piece being integrated (set by beginSegment). */
  private appliedTotal = 0;
  /** [I_app total, I_app per ion...] of the present piece, shared with the compiled rhs. */
  private readonly levels: Float64Array;
  /** The same right-hand side as `rhs`, compiled to straight-line code for this scenario (compiledRhs.ts). */
  readonly compiledRhs: (t: number, y: Float64Array, dydt: Float64Array) => void;
  private readonly inFactor: Float64Array;
  private readonly outFactor: Float64Array;

  constructor(readonly scenario: Scenario) {
    const n = (this.ionCount = scenario.ions.length);
    this.gates = new GateSet(scenario, 1 + 2 * n);
    this.markov = new MarkovChannels(scenario);
    this.propensityIndex = this.markov.count > 0 ? 1 + 2 * n + this.gates.count : -1;
    this.size = 1 + 2 * n + this.gates.count + (this.markov.count > 0 ? 1 : 0);
    this.ionNames = scenario.ions.map((i) => i.name);
    this.valence = Float64Array.from(scenario.ions, (i) => i.valence);
    this.area = scenario.cell.area;
    this.volumeIn = scenario.cell.volume;
    this.volumeOut = scenario.bath.kind === "finite" ? scenario.bath.volume : Infinity;
    this.capacitance = scenario.cell.capacitance;
    this.temperature = scenario.temperature;
    this.thermalVoltage = (R * scenario.temperature) / F;
    const index = (name: string) => this.ionNames.indexOf(name);
    this.channelKind = Int32Array.from(scenario.channels, (c) => (c.kind === "ohmic" ? OHMIC : GHK));
    this.channelIon = Int32Array.from(scenario.channels, (c) => index(c.ion));
    this.channelScale = Float64Array.from(scenario.channels, (c) => (c.kind === "ohmic" ? c.conductance : c.permeability));
    this.pumpMax = Float64Array.from(scenario.pumps, (p) => p.maxCurrent);
    this.pumpKNa = Float64Array.from(scenario.pumps, (p) => p.kNa);
    this.pumpKK = Float64Array.from(scenario.pumps, (p) => p.kK);
    this.naIndex = index("Na");
    this.kIndex = index("K");
    this.stimulus = new Stimulus(scenario.stimulus, index);
    this.clamp = scenario.clamp ? new ClampCommand(scenario.clamp) : undefined;
    this.ionCurrent = new Float64Array(n);
    this.appliedPerIon = new Float64Array(n);
    this.scratch = new Float64Array(n);
    this.dCurrent = new Float64Array(n * this.size);
    // dc_in/dt = inFactor·(−I_k + I_app,k), dc_out/dt = outFactor·I_k
    this.inFactor = Float64Array.from(this.valence, (z) => this.area / (z * F * this.volumeIn));
    this.outFactor = Float64Array.from(this.valence, (z) => (Number.isFinite(this.volumeOut) ? this.area / (z * F * this.volumeOut) : 0));
    this.y0 = new Float64Array(this.size);
    this.y0[0] = scenario.initialVoltage;
    scenario.ions.forEach((ion, k) => {
      this.y0[1 + k] = ion.inside;
      this.y0[1 + n + k] = ion.outside;
    });
    // gates start at their steady state for the initial voltage; so do the channels simulated
    // event by event, each drawn from that equilibrium with its own seeded stream
    for (let j = 0; j < this.gates.count; j++) this.y0[this.gates.offset + j] = this.gates.steadyState(j, scenario.initialVoltage, 0);
    if (this.markov.count > 0) this.markov.equilibrate(scenario.initialVoltage, seedrandom(`ionflux:initial:${scenario.run.seed}`));
    this.levels = new Float64Array(n + 1);
    this.compiledRhs = compileRhs(scenario, this.levels, this.thermalVoltage, this.gates, this.markov, this.propensityIndex);
    this.setSegment(0);
  }

  /** Fixes the applied current to its level at time t (the driver calls this per smooth piece). */
  setSegment(t: number, segmentStart = t): void {
    this.clamp?.setSegment(t, segmentStart);
    this.appliedTotal = this.stimulus.levelsAt(t, this.appliedPerIon);
    this.levels[0] = this.appliedTotal;
    this.levels.set(this.appliedPerIon, 1);
  }

  /** Nernst potential of ion k (V) for the concentrations in y. */
  nernst(k: number, y: Float64Array): number {
    return nernstPotential(this.valence[k]!, y[1 + k]!, y[1 + this.ionCount + k]!, this.temperature);
  }

  /**
   * Outward current density carried by each ion (A/m²) at membrane voltage V and the
   * concentrations of y, into out[k]; returns their sum (channels plus pumps, without I_app).
   */
  ionicCurrents(V: number, y: Float64Array, out: Float64Array): number {
    const n = this.ionCount;
    out.fill(0);
    for (let c = 0; c < this.channelKind.length; c++) out[this.channelIon[c]!]! += this.channelCurrent(c, V, y);
    for (let p = 0; p < this.pumpMax.length; p++) {
      const ip = naKPumpCurrent(this.pumpMax[p]!, y[1 + this.naIndex]!, y[1 + n + this.kIndex]!, this.pumpKNa[p]!, this.pumpKK[p]!);
      out[this.naIndex]! += 3 * ip;
      out[this.kIndex]! -= 2 * ip;
    }
    let sum = 0;
    for (let k = 0; k < n; k++) sum += out[k]!;
    return sum;
  }

  /** Channel c's outward current density (A/m²) at voltage V with the state y (gates included). */
  channelCurrent(c: number, V: number, y: Float64Array): number {
    const k = this.channelIon[c]!;
    const z = this.valence[k]!;
    const cin = y[1 + k]!;
    const cout = y[1 + this.ionCount + k]!;
    const open = this.gates.openFraction(c, y) * this.markov.factor[c]!;
    // the formulas of src/physics (tested against hand-worked values); the integrator's hot path
    // is the compiled right-hand side, which compiledRhs.ts is tested to agree with
    if (this.channelKind[c] === OHMIC) return open * this.channelScale[c]! * (V - nernstPotential(z, cin, cout, this.temperature));
    return open * ghkCurrentDensity(this.channelScale[c]!, z, V, cin, cout, this.temperature);
  }

  /** Each channel's outward current density (A/m²) into out[c]. */
  channelCurrents(V: number, y: Float64Array, out: Float64Array): void {
    for (let c = 0; c < this.channelKind.length; c++) out[c] = this.channelCurrent(c, V, y);
  }

  /** y' = f(y) of physics.md. */
  readonly rhs = (t: number, y: Float64Array, dydt: Float64Array): void => {
    const n = this.ionCount;
    const I = this.ionCurrent;
    const total = this.ionicCurrents(y[0]!, y, I);
    dydt[0] = (-total + this.appliedTotal) / this.capacitance;
    for (let k = 0; k < n; k++) {
      dydt[1 + k] = this.inFactor[k]! * (-I[k]! + this.appliedPerIon[k]!);
      dydt[1 + n + k] = this.outFactor[k]! * I[k]!;
    }
    const g = this.gates;
    for (let j = 0; j < g.count; j++) dydt[g.offset + j] = g.derivative(j, y[0]!, t, y[g.offset + j]!);
    if (this.propensityIndex >= 0) dydt[this.propensityIndex] = this.markov.totalRate(y[0]!, t);
  };

  /** Analytic ∂f/∂y, row-major. The applied current is constant within a piece, so it drops out. */
  readonly jacobian = (t: number, y: Float64Array, J: Float64Array): void => {
    const n = this.ionCount;
    const m = this.size;
    const dI = this.dCurrent; // dI[k*m + j] = ∂I_k/∂y_j
    dI.fill(0);
    const vt = this.thermalVoltage;
    const V = y[0]!;
    for (let c = 0; c < this.channelKind.length; c++) {
      const k = this.channelIon[c]!;
      const z = this.valence[k]!;
      const cin = y[1 + k]!;
      const cout = y[1 + n + k]!;
      const markov = this.markov.factor[c]!;
      const open = this.gates.openFraction(c, y) * markov;
      const s = this.channelScale[c]! * open;
      const row = k * m;
      let base: number; // the channel's current with all its gates open
      if (this.channelKind[c] === OHMIC) {
        dI[row]! += s;
        dI[row + 1 + k]! += (s * vt) / (z * cin);
        dI[row + 1 + n + k]! -= (s * vt) / (z * cout);
        base = this.channelScale[c]! * (V - (vt / z) * Math.log(cout / cin));
      } else {
        const u = (z * V) / vt;
        const zF = z * F;
        dI[row]! += s * zF * (z / vt) * (cin * ghkPhiDerivative(u) + cout * ghkPhiDerivative(-u));
        dI[row + 1 + k]! += s * zF * ghkPhi(u);
        dI[row + 1 + n + k]! -= s * zF * ghkPhi(-u);
        base = this.channelScale[c]! * zF * (cin * ghkPhi(u) - cout * ghkPhi(-u));
      }
      for (let j = this.gates.start[c]!; j < this.gates.end[c]!; j++) {
        dI[row + this.gates.offset + j]! += base * markov * this.gates.openFractionDx(c, y, j);
      }
    }
    for (let p = 0; p < this.pumpMax.length; p++) {
      const na = y[1 + this.naIndex]!;
      const ko = y[1 + n + this.kIndex]!;
      const kna = this.pumpKNa[p]!;
      const kk = this.pumpKK[p]!;
      const a = na / (na + kna);
      const b = ko / (ko + kk);
      const dNa = (this.pumpMax[p]! * 3 * a * a * b * b * kna) / ((na + kna) * (na + kna));
      const dKo = (this.pumpMax[p]! * a * a * a * 2 * b * kk) / ((ko + kk) * (ko + kk));
      const jNa = 1 + this.naIndex;
      const jKo = 1 + n + this.kIndex;
      dI[this.naIndex * m + jNa]! += 3 * dNa;
      dI[this.naIndex * m + jKo]! += 3 * dKo;
      dI[this.kIndex * m + jNa]! -= 2 * dNa;
      dI[this.kIndex * m + jKo]! -= 2 * dKo;
    }
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const d = dI[k * m + j]!;
        sum += d;
        J[(1 + k) * m + j] = -this.inFactor[k]! * d;
        J[(1 + n + k) * m + j] = this.outFactor[k]! * d;
      }
      J[j] = -sum / this.capacitance;
    }
    // gate rows: each gate depends on V and on itself
    const g = this.gates;
    for (let j = 0; j < g.count; j++) {
      const r = (g.offset + j) * m;
      for (let col = 0; col < m; col++) J[r + col] = 0;
      J[r] = g.derivativeDV(j, V, t, y[g.offset + j]!);
      J[r + g.offset + j] = g.derivativeDx(j, V, t);
    }
    // Λ depends on V only (through the rates), and nothing depends on Λ
    const p = this.propensityIndex;
    if (p >= 0) {
      for (let col = 0; col < m; col++) J[p * m + col] = 0;
      J[p * m] = (this.markov.totalRate(V + 1e-6, t) - this.markov.totalRate(V - 1e-6, t)) / 2e-6;
    }
  };

  /**
   * E_rev: the root in V of the net ionic current (channels and pumps) for the concentrations of y,
   * by a bracketing root finder. NaN when the membrane has no permeability at all.
   */
  reversalPotential(y: Float64Array): number {
    if (this.channelKind.length === 0) return NaN;
    const work = this.scratch;
    // consecutive rows have nearly the same E_rev: a tight bracket around the last one (or V)
    // takes a handful of iterations instead of some forty
    const guess = Number.isFinite(this.lastReversal) ? this.lastReversal : y[0]!;
    const root = findRootOfIncreasing((V) => this.ionicCurrents(V, y, work), guess - 1e-4, guess + 1e-4, 20, 1e-15);
    if (Number.isFinite(root)) this.lastReversal = root;
    return root;
  }
  private lastReversal = NaN;

  /** Net membrane current (A/m², outward positive): ionic currents minus the applied current = −C_m·dV/dt. */
  netCurrent(y: Float64Array, perIon: Float64Array): number {
    return this.ionicCurrents(y[0]!, y, perIon) - this.appliedTotal;
  }

  /** Net membrane current (A/m²) at voltage V with the concentrations of y. */
  netCurrentAt(V: number, y: Float64Array, perIon: Float64Array): number {
    return this.ionicCurrents(V, y, perIon) - this.appliedTotal;
  }

  /** ∂(net current)/∂V (S/m²) at the state y, by a central difference of 1 µV. */
  slopeConductance(y: Float64Array, perIon: Float64Array): number {
    const V = y[0]!;
    return (this.ionicCurrents(V + 1e-6, y, perIon) - this.ionicCurrents(V - 1e-6, y, perIon)) / 2e-6;
  }

  /** No concentration may become negative. */
  readonly isAdmissible = (y: Float64Array): boolean => {
    for (let i = 1; i < y.length; i++) if (!(y[i]! >= 0)) return false;
    return true;
  };

  /** The model as an initial-value problem on [0, duration]. */
  problem(duration: number, t0 = 0, y0: Float64Array = this.y0): OdeProblem {
    const clamp = this.clamp;
    let rhs = this.compiledRhs;
    let jacobian = this.jacobian;
    if (clamp) {
      // V is forced to the command: the currents see it, and its own equation is the command's slope
      const forced = new Float64Array(this.size);
      const inner = this.compiledRhs;
      const innerJacobian = this.jacobian;
      const m = this.size;
      rhs = (t, y, d) => {
        forced.set(y);
        forced[0] = clamp.inSegment(t);
        inner(t, forced, d);
        d[0] = clamp.rate;
      };
      jacobian = (t, y, J) => {
        forced.set(y);
        forced[0] = clamp.inSegment(t);
        innerJacobian(t, forced, J);
        for (let j = 0; j < m; j++) J[j] = 0;
        for (let i = 0; i < m; i++) J[i * m] = 0;
      };
    }
    return {
      size: this.size,
      rhs,
      jacobian,
      y0,
      t0,
      t1: duration,
      breakpoints: clamp ? [...this.stimulus.breakpoints, ...clamp.breakpoints] : this.stimulus.breakpoints,
      beginSegment: (a, b) => this.setSegment(0.5 * (a + b), a),
      isAdmissible: this.isAdmissible,
      explain: this.explain,
    };
  }

  /** What is wrong with a refused state: the first non-finite or negative entry, by name. */
  readonly explain = (y: Float64Array): string => {
    const n = this.ionCount;
    const name = (i: number) =>
      i === 0 ? "V" : i <= n ? `${this.ionNames[i - 1]}_in` : i <= 2 * n ? `${this.ionNames[i - 1 - n]}_out` : this.gates.names[i - 1 - 2 * n]!;
    const show = (i: number) => (i === 0 ? `${y[0]! * 1e3} mV` : i <= 2 * n ? `${y[i]} mM` : String(y[i]));
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) return `${name(i)} became ${show(i)}`;
    for (let i = 1; i <= 2 * n; i++) if (y[i]! < 0) return `${name(i)} went below zero (${show(i)})`;
    return "the state was refused";
  };

  /** The membrane voltage at time t for the state y: the clamp's command when clamped. */
  voltageOf(t: number, y: Float64Array): number {
    return this.clamp ? this.clamp.inSegment(t) : y[0]!;
  }
}

/**
 * Closed forms and small independent solvers for the homeostasis tests (physics.md "Transporters",
 * "Water and cell volume"), worked here from the physics and never by calling the code under test.
 * Units: SI (V, mol/m³ = mM, m³, m², F/m², S/m²).
 */
import { bisect, F, R } from "../helpers/run.js";

export const V_W = 18.0e-6;

export function thermalVoltage(T: number): number {
  return (R * T) / F;
}

export function nernst(z: number, cIn: number, cOut: number, T: number): number {
  return (thermalVoltage(T) / z) * Math.log(cOut / cIn);
}

/** Two compartments exchanging moles: x mol leaves the inside (negative: enters); a clamped bath has volOut = Infinity. */
function moved(cIn: number, cOut: number, x: number, volIn: number, volOut: number): [number, number] {
  return [cIn - x / volIn, Number.isFinite(volOut) ? cOut + x / volOut : cOut];
}

/**
 * KCC2 alone (ν: K +1, Cl +1, electroneutral): x mol of cycles carry K and Cl out until
 * K_in·Cl_in = K_out·Cl_out, with moles conserved in a finite bath. Returns the end concentrations.
 */
export function kcc2Equilibrium(K: [number, number], Cl: [number, number], volIn: number, volOut: number) {
  const at = (x: number) => ({ K: moved(K[0], K[1], x, volIn, volOut), Cl: moved(Cl[0], Cl[1], x, volIn, volOut) });
  const f = (x: number) => {
    const s = at(x);
    return Math.log(s.K[0] * s.Cl[0]) - Math.log(s.K[1] * s.Cl[1]);
  };
  // x between "nothing moved" and "the smaller inside stock emptied" (or the bath's, going in)
  const hi = Math.min(K[0], Cl[0]) * volIn * (1 - 1e-15);
  const lo = Number.isFinite(volOut) ? -Math.min(K[1], Cl[1]) * volOut * (1 - 1e-15) : -1e3 * volIn;
  return at(bisect(f, lo, hi, 400));
}

/** NKCC1 alone (ν: Na −1, K −1, Cl −2): it stops where Na_in·K_in·Cl_in² = Na_out·K_out·Cl_out². */
export function nkcc1Equilibrium(Na: [number, number], K: [number, number], Cl: [number, number], volIn: number, volOut: number) {
  // y mol of cycles run forward: each brings 1 Na, 1 K, 2 Cl in (x = −y, −y, −2y leave)
  const at = (y: number) => ({ Na: moved(Na[0], Na[1], -y, volIn, volOut), K: moved(K[0], K[1], -y, volIn, volOut), Cl: moved(Cl[0], Cl[1], -2 * y, volIn, volOut) });
  const f = (y: number) => {
    const s = at(y);
    return Math.log(s.Na[0] * s.K[0] * s.Cl[0] ** 2) - Math.log(s.Na[1] * s.K[1] * s.Cl[1] ** 2);
  };
  const lo = -Math.min(Na[0], K[0], Cl[0] / 2) * volIn * (1 - 1e-15);
  const hi = Number.isFinite(volOut) ? Math.min(Na[1], K[1], Cl[1] / 2) * volOut * (1 - 1e-15) : 1e3 * volIn;
  return at(bisect(f, lo, hi, 400));
}

/**
 * NCX alone (ν: Na −3, Ca +1; each forward cycle brings one elementary charge in). Its charge
 * charges the membrane capacitor: C_m·A·(V − V0) = F·x for x mol of forward cycles. It stops
 * where V = 3·E_Na − 2·E_Ca of the concentrations of that moment.
 */
export function ncxEquilibrium(Na: [number, number], Ca: [number, number], V0: number, Cm: number, area: number, volIn: number, volOut: number, T: number) {
  const at = (x: number) => ({ Na: moved(Na[0], Na[1], -3 * x, volIn, volOut), Ca: moved(Ca[0], Ca[1], x, volIn, volOut), V: V0 + (F * x) / (Cm * area) });
  const f = (x: number) => {
    const s = at(x);
    return s.V - (3 * nernst(1, s.Na[0], s.Na[1], T) - 2 * nernst(2, s.Ca[0], s.Ca[1], T));
  };
  const hi = Ca[0] * volIn * (1 - 1e-12);
  const lo = -Math.min(Na[0] / 3 * volIn, Number.isFinite(volOut) ? Ca[1] * volOut : Infinity) * (1 - 1e-12);
  return at(bisect(f, lo, hi, 400));
}

/** Boyle–van 't Hoff: all solutes impermeant; water moves until Osm_in = Osm_out. */
export function boyleVantHoffClamped(molesIn: number, osmOut: number): number {
  return molesIn / osmOut;
}

/** The same with a finite bath: vol_in + vol_out = total, N_in/vol_in = N_out/vol_out. */
export function boyleVantHoffFinite(molesIn: number, molesOut: number, totalVolume: number): number {
  return (totalVolume * molesIn) / (molesIn + molesOut);
}

/** Newton's method with a finite-difference Jacobian and step halving on ‖f‖; small systems only. */
export function newton(f: (x: number[]) => number[], x0: number[], tol = 1e-13, maxIterations = 200): number[] {
  let x = [...x0];
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  let fx = f(x);
  for (let it = 0; it < maxIterations && norm(fx) > tol; it++) {
    const n = x.length;
    const J: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let j = 0; j < n; j++) {
      const h = 1e-7 * Math.max(Math.abs(x[j]!), 1e-6);
      const xp = [...x];
      xp[j]! += h;
      const xm = [...x];
      xm[j]! -= h;
      const fp = f(xp);
      const fm = f(xm);
      for (let i = 0; i < n; i++) J[i]![j] = (fp[i]! - fm[i]!) / (2 * h);
    }
    const dx = solve(J, fx.map((v) => -v));
    let lambda = 1;
    for (;;) {
      const trial = x.map((v, i) => v + lambda * dx[i]!);
      const ft = f(trial);
      if (ft.every(Number.isFinite) && (norm(ft) < norm(fx) || lambda < 1e-6)) {
        x = trial;
        fx = ft;
        break;
      }
      lambda /= 2;
    }
  }
  if (!(norm(fx) <= tol * 100)) throw new Error(`newton did not converge: |f| = ${norm(fx)}`);
  return x;
}

/** Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const m = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= m * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/**
 * The pump–leak steady state with water (Tosteson & Hoffman 1960; Keener & Sneyd ch. 2), clamped
 * bath: ohmic Na, K, Cl leaks, the saturating Na/K pump (3 Na out, 2 K in), an impermeant anion of
 * charge zA inside. Unknowns V, Na_in, K_in, Cl_in, vol_in; equations: each ion's net flux zero,
 * Osm_in = Osm_out, and the capacitor C_m·A·(V − V0) = F·Σ z·(n − n0) from the initial state.
 */
export function pumpLeakSteadyState(p: {
  T: number;
  gNa: number;
  gK: number;
  gCl: number;
  pumpMaxCurrent: number;
  kNa: number;
  kK: number;
  out: { Na: number; K: number; Cl: number; osm: number };
  initial: { V: number; Na: number; K: number; Cl: number; A: number; vol: number };
  zA: number;
  Cm: number;
  area: number;
}): { V: number; Na: number; K: number; Cl: number; A: number; vol: number } {
  const i0 = p.initial;
  const nA = i0.A * i0.vol;
  const charge0 = F * i0.vol * (i0.Na + i0.K - i0.Cl + p.zA * i0.A);
  // unknowns V and the logarithms of the concentrations and the volume (which keeps them positive)
  const f = (x: number[]) => {
    const [V, lNa, lK, lCl, lvol] = x as [number, number, number, number, number];
    const [Na, K, Cl, vol] = [Math.exp(lNa), Math.exp(lK), Math.exp(lCl), Math.exp(lvol)];
    const Ip = p.pumpMaxCurrent * (Na / (Na + p.kNa)) ** 3 * (p.out.K / (p.out.K + p.kK)) ** 2;
    const INa = p.gNa * (V - nernst(1, Na, p.out.Na, p.T)) + 3 * Ip;
    const IK = p.gK * (V - nernst(1, K, p.out.K, p.T)) - 2 * Ip;
    const ICl = p.gCl * (V - nernst(-1, Cl, p.out.Cl, p.T));
    const osm = (Na + K + Cl + nA / vol) / p.out.osm - 1;
    const charge = F * vol * (Na + K - Cl) + F * p.zA * nA - charge0 - p.Cm * p.area * (V - i0.V);
    // currents relative to the pump's scale, osmolarity and charge relative: all of order one
    return [INa / p.pumpMaxCurrent, IK / p.pumpMaxCurrent, ICl / p.pumpMaxCurrent, osm, charge / (F * i0.vol * p.out.osm)];
  };
  const x = newton(f, [i0.V, Math.log(i0.Na), Math.log(i0.K), Math.log(i0.Cl), Math.log(i0.vol)], 1e-14);
  const [V, Na, K, Cl, vol] = [x[0]!, Math.exp(x[1]!), Math.exp(x[2]!), Math.exp(x[3]!), Math.exp(x[4]!)];
  return { V, Na, K, Cl, A: nA / vol, vol };
}

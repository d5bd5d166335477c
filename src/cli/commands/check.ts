import { derivedNumbers } from "../../model/derived.js";
import { MembraneModel } from "../../model/membraneModel.js";
import { loadScenarioFile } from "../../scenario/load.js";
import { parseOverride } from "../../scenario/overrides.js";
import { fmt, fmtTime } from "../format.js";

/** `ionflux check FILE...`: validate, then print the derived numbers, without running. */
export function checkCommand(opts: { files: readonly string[]; set: readonly string[] }, print: (line: string) => void): void {
  const overrides = opts.set.map(parseOverride);
  for (const file of opts.files) {
    const { scenario } = loadScenarioFile(file, overrides);
    const model = new MembraneModel(scenario);
    const d = derivedNumbers(model);
    print(`${file}: valid scenario "${scenario.name}"`);
    print(`  temperature ${fmt(scenario.temperature, 6)} K; area ${fmt(scenario.cell.area * 1e12)} um^2; volume ${fmt(scenario.cell.volume * 1e15)} pL; bath ${scenario.bath.kind === "clamped" ? "clamped" : `${fmt(scenario.bath.volume * 1e15)} pL`}`);
    for (const ion of d.ions) {
      print(`  E_${ion.name} = ${fmt(ion.nernst * 1e3)} mV (z = ${ion.valence}${ion.permeant ? "" : ", impermeant"})`);
    }
    print(`  E_rev at the initial state = ${fmt(d.reversalPotential * 1e3)} mV (initial V = ${fmt(scenario.initialVoltage * 1e3)} mV)`);
    print(`  membrane time constant C_m/G = ${fmtTime(d.membraneTimeConstant)}`);
    const scales = Object.entries(d.concentrationTimeScales).map(([k, v]) => `${k} ${fmtTime(v)}`).join(", ");
    print(`  concentration time scales (uncoupled estimate): ${scales}; slowest ${fmtTime(d.slowestConcentrationTimeScale)}`);
    const outside = d.netChargeOutside.coulombs === null ? "" : ` (${fmt(d.netChargeOutside.coulombs)} C)`;
    print(`  net charge: inside ${fmt(d.netChargeInside.perVolume)} mM of z (${fmt(d.netChargeInside.coulombs)} C); outside ${fmt(d.netChargeOutside.perVolume)} mM of z${outside}`);
    if (Math.abs(d.netChargeInside.perVolume) > 1 || Math.abs(d.netChargeOutside.perVolume) > 1) {
      print("  note: a side is far from electroneutral; real solutions are neutral to within microvolts' worth of charge (add the impermeant ions that balance it)");
    }
    const water = d.waterTimeConstant === null ? "water does not move (no cell.water-permeability)" : `water time constant ${fmtTime(d.waterTimeConstant)}`;
    print(`  osmolarity: inside ${fmt(d.osmolarity.inside)} mM, outside ${fmt(d.osmolarity.outside)} mM; ${water}`);
    print(`  run: ${scenario.run.method}, up to ${fmtTime(scenario.run.duration)}, record every ${fmtTime(scenario.run.recordEvery)}`);
  }
}

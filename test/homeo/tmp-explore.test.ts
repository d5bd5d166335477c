import { it } from "vitest";
import { runScenario } from "../helpers/run.js";
for (const [f, sets] of [["osmotic-shock", []], ["osmotic-shock", ["bath.clamped=null", "bath.volume=200 fL"]], ["pump-leak-swell", []], ["pump-leak-swell", ["pumps.pump.max-current=1.5 uA/cm^2"]]] as [string, string[]][]) {
  it(f + sets.join(","), () => {
    const t0 = Date.now();
    const r = runScenario(`sims/homeo-drafts/${f}.yaml`, sets);
    const m = r.model;
    const y = r.result.yEnd;
    const out: Record<string, number | string> = { V: r.V_mV, tEnd: r.result.tEnd, wall: Date.now() - t0, steps: r.result.stats?.steps ?? "", vol: m.volumeInOf(y), osm: JSON.stringify(m.osmolarities(y)) };
    m.ionNames.forEach((n, k) => { out[`${n}_in`] = m.concentrationIn(k, y); });
    console.log(f, JSON.stringify(out), JSON.stringify(r.result.invariants));
  }, 120000);
}

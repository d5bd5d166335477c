import type { GateSet } from "../gates.js";
import type { MarkovChannels } from "../markov.js";
import { channelKind } from "./channel.js";
import { transporterKind } from "./transporter.js";
import type { MechanismKind } from "./types.js";

/**
 * Every kind of membrane mechanism, in the order their currents are summed. Adding one: a module
 * like transporter.ts (its ions, its current evaluated and as code, its partial derivatives as code),
 * its test, and one line here.
 */
export function mechanismKinds(gates: GateSet, markov: MarkovChannels): readonly MechanismKind[] {
  return [channelKind(gates, markov), transporterKind];
}

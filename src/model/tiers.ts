/**
 * The order admin tiers are evaluated in (ANP.md §3, SEMANTICS.md "Tiers"): per tier, by
 * ascending priority, equal priorities by name — deterministic, and warned about at load.
 */
import type { AdminPolicy } from "./types.js";

export function tierOrder(policies: readonly AdminPolicy[] | undefined, tier: AdminPolicy["tier"]): AdminPolicy[] {
  return (policies ?? []).filter((p) => p.tier === tier).sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

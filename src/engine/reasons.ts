/**
 * Reason codes of the core's explainBatch, and the names that turn them into a `Reason`: one
 * u32 per flow and direction, the kind in the top bits (BUNDLE.md "How a reason is found").
 */
import { sectionOf } from "../compile/bundle.js";
import { Section } from "../compile/layout.js";
import type { Reason } from "../model/types.js";

export const REASON_NONE = 0;
export const REASON_RULE = 0x40000000;
export const REASON_DENIED = 0x80000000;
export const REASON_SELF = 0xc0000000;
/** | tier rule id: an admin- or baseline-tier rule allowed, or denied. */
export const REASON_TIER_ALLOW = 0xd0000000;
export const REASON_TIER_DENY = 0xe0000000;
/** The flow's protocol or family code is invalid (its verdict is 255). */
export const REASON_INVALID = 0xffffffff;

const KIND = 0xc0000000;
const VALUE = 0x3fffffff;

/** What the bundle's NAMES section says: policies, rules and profiles by number. */
export interface ReasonNames {
  /** [namespace, name] per policy, in cluster order. */
  readonly policies: readonly (readonly [string, string])[];
  /** [policy, direction (0 ingress, 1 egress), rule index] per rule id. */
  readonly rules: readonly (readonly [number, number, number])[];
  /** The isolating policies of each profile. */
  readonly profiles: readonly (readonly number[])[];
  /** [policy name, tier, direction (0 ingress, 1 egress), rule index, action as written] per tier rule id. */
  readonly tierRules: readonly (readonly [string, "admin" | "baseline", number, number, string])[];
}

/** The NAMES section of a bundle the core already validated, parsed and checked; throws if it is not what the compiler writes. */
export function readNames(bundle: Uint8Array): ReasonNames {
  const bytes = sectionOf(bundle, Section.NAMES);
  let names: unknown;
  try {
    names = bytes && JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw new Error(`invalid bundle: its NAMES section is malformed (${(err as Error).message})`);
  }
  if (!wellFormed(names)) throw new Error("invalid bundle: its NAMES section is missing or malformed");
  return names;
}

const isIndex = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

function wellFormed(n: unknown): n is ReasonNames {
  if (typeof n !== "object" || n === null) return false;
  const { policies, rules, profiles, tierRules } = n as Record<string, unknown>;
  return (
    Array.isArray(policies) && policies.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "string")) &&
    Array.isArray(rules) && rules.every((r) => Array.isArray(r) && r.length === 3 && r.every(isIndex)) &&
    Array.isArray(profiles) && profiles.every((p) => Array.isArray(p) && p.every(isIndex)) &&
    Array.isArray(tierRules) &&
    tierRules.every(
      (r) => Array.isArray(r) && r.length === 5 && typeof r[0] === "string" && (r[1] === "admin" || r[1] === "baseline") && isIndex(r[2]) && isIndex(r[3]) && typeof r[4] === "string",
    )
  );
}

/**
 * A reason code as a `Reason` (policy numbers index `names.policies`; tier policies by name);
 * `pass` is explainTiers' word for the side (0, or 1 + the tier rule whose Pass was on the way).
 * "unknown" for a number the names lack.
 */
export function decodeReason(code: number, names: ReasonNames, pass = 0): Reason | { readonly kind: "invalid" | "unknown" } {
  if (code === REASON_INVALID) return { kind: "invalid" };
  let passed = {};
  if (pass !== 0) {
    const via = names.tierRules[pass - 1];
    if (!via) return { kind: "unknown" };
    passed = { passed: { policy: via[0], rule: via[3] } };
  }
  const value = code & VALUE;
  const top = (code & 0xf0000000) >>> 0;
  if (top === REASON_TIER_ALLOW || top === REASON_TIER_DENY) {
    const rule = names.tierRules[code & 0x0fffffff];
    if (!rule) return { kind: "unknown" };
    return { kind: "tier", tier: rule[1], policy: rule[0], rule: rule[3], action: top === REASON_TIER_ALLOW ? "Allow" : "Deny", ...passed };
  }
  switch ((code & KIND) >>> 0) {
    case REASON_NONE:
      return { kind: "none", ...passed };
    case REASON_SELF:
      return code === REASON_SELF ? { kind: "self" } : { kind: "unknown" };
    case REASON_RULE: {
      const rule = names.rules[value];
      return rule ? { kind: "allowed", policy: rule[0], rule: rule[2], ...passed } : { kind: "unknown" };
    }
    default: {
      const policies = names.profiles[value];
      return policies ? { kind: "denied", policies, ...passed } : { kind: "unknown" };
    }
  }
}

/**
 * One number for a side's reason code and its Pass word (`Explanations.passes`), for tools that
 * group or cache reasons: `pass × 2^32 + code`, exact while pass < 2^21.
 */
export function reasonKey(code: number, pass = 0): number {
  return pass * 0x100000000 + code;
}

/** The code and Pass word of a reasonKey. */
export function splitReasonKey(key: number): [code: number, pass: number] {
  return [key % 0x100000000, Math.floor(key / 0x100000000)];
}

/** Flow i's reason on one side (0 egress, 1 ingress) of an explainBatch result, as a reasonKey. */
export function sideKey(x: { readonly egress: Uint32Array; readonly ingress: Uint32Array; readonly passes?: Uint32Array }, i: number, side: 0 | 1): number {
  return reasonKey(side === 0 ? x.egress[i]! : x.ingress[i]!, x.passes?.[2 * i + side] ?? 0);
}

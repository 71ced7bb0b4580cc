/**
 * Reason codes of the core's explainBatch, and the names that turn them into a `Reason`: one
 * u32 per flow and direction, the kind in the top two bits (BUNDLE.md "Reasons").
 */
import { sectionOf } from "../compile/bundle.js";
import { Section } from "../compile/layout.js";
import type { Reason } from "../model/types.js";

export const REASON_NONE = 0;
export const REASON_RULE = 0x40000000;
export const REASON_DENIED = 0x80000000;
export const REASON_SELF = 0xc0000000;
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
  const { policies, rules, profiles } = n as Record<string, unknown>;
  return (
    Array.isArray(policies) && policies.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "string")) &&
    Array.isArray(rules) && rules.every((r) => Array.isArray(r) && r.length === 3 && r.every(isIndex)) &&
    Array.isArray(profiles) && profiles.every((p) => Array.isArray(p) && p.every(isIndex))
  );
}

/** A reason code as a `Reason` (policy numbers index `names.policies`); "unknown" for a number the names lack. */
export function decodeReason(code: number, names: ReasonNames): Reason | { readonly kind: "invalid" | "unknown" } {
  if (code === REASON_INVALID) return { kind: "invalid" };
  const value = code & VALUE;
  switch ((code & KIND) >>> 0) {
    case REASON_NONE:
      return { kind: "none" };
    case REASON_SELF:
      return { kind: "self" };
    case REASON_RULE: {
      const rule = names.rules[value];
      return rule ? { kind: "allowed", policy: rule[0], rule: rule[2] } : { kind: "unknown" };
    }
    default: {
      const policies = names.profiles[value];
      return policies ? { kind: "denied", policies } : { kind: "unknown" };
    }
  }
}

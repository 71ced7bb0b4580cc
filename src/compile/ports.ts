/**
 * Port classes: per protocol, the port axis 0..65535 cut at every rule boundary (`port`,
 * `endPort + 1`) and at every named port as resolved on some pod (`n`, `n + 1`), so a rule's
 * port set is always a union of whole classes. Classes of the three protocols are numbered
 * consecutively: TCP first, then UDP, then SCTP.
 */
import type { AdminPolicy, NetworkPolicy, Protocol } from "../model/types.js";
import { PROTOCOLS } from "../model/types.js";
import { lastAtMost } from "./bits.js";
import type { Identity } from "./identities.js";

export interface PortClasses {
  /** Per protocol (TCP, UDP, SCTP): sorted class starts, the first 0. */
  readonly cuts: readonly (readonly number[])[];
  /** Global number of the first class of each protocol. */
  readonly base: readonly number[];
  readonly count: number;
}

/** Admin-tier ports cut the axis too (named ones resolve on pods, as NetworkPolicy's do). */
export function portClasses(policies: readonly NetworkPolicy[], idents: readonly Identity[], admin: readonly AdminPolicy[] = []): PortClasses {
  const sets = PROTOCOLS.map(() => new Set<number>([0]));
  const add = (protocol: Protocol, from: number, to: number) => {
    const s = sets[PROTOCOLS.indexOf(protocol)]!;
    s.add(from);
    if (to + 1 <= 65535) s.add(to + 1);
  };
  for (const p of policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const port of rule.ports) {
        if (typeof port.port === "number") add(port.protocol, port.port, port.endPort ?? port.port);
      }
    }
  }
  for (const p of admin) {
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const port of rule.ports ?? []) {
        if (port.kind === "number") add(port.protocol, port.port, port.port);
        else if (port.kind === "range") add(port.protocol, port.start, port.end);
      }
    }
  }
  for (const id of idents) {
    for (const [key, numbers] of id.namedPorts) {
      const protocol = key.slice(key.lastIndexOf("/") + 1) as Protocol;
      for (const n of numbers) add(protocol, n, n);
    }
  }
  return portClassesOf(sets.map((s) => [...s]));
}

/** The classes of these cuts per protocol (TCP, UDP, SCTP; each holding 0), numbered consecutively. */
export function portClassesOf(cutsPerProtocol: readonly (readonly number[])[]): PortClasses {
  const cuts = cutsPerProtocol.map((c) => [...c].sort((a, b) => a - b));
  const base: number[] = [];
  let count = 0;
  for (const c of cuts) {
    base.push(count);
    count += c.length;
  }
  return { cuts, base, count };
}

/** Global class of (protocol, port). */
export function classOfPort(pc: PortClasses, protocol: Protocol, port: number): number {
  const p = PROTOCOLS.indexOf(protocol);
  return pc.base[p]! + lastAtMost(pc.cuts[p]!, port);
}

/** The global classes covering [from, to] of one protocol (whole classes by construction). */
export function classesOfRange(pc: PortClasses, protocol: Protocol, from: number, to: number): number[] {
  const first = classOfPort(pc, protocol, from);
  const last = classOfPort(pc, protocol, to);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(k);
  return out;
}

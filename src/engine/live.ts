/**
 * Live updates (engine.apply): the cluster state an engine was compiled from, kept as one built
 * object per kind, namespace and name, and changed by Kubernetes watch events. A batch of events
 * is validated whole before anything changes (a PolicyError names every bad object and field),
 * then planned:
 *
 * - pods only, each one the tables can place: in an identity they know and a CIDR class that
 *   identity has (a pod added beside its replicas, deleted, restarted at a new address), or in a
 *   new identity (relabelled, say) whose profiles the bundle has and whose peer classes equal,
 *   in every peer set, classes it has: only the pod address tables change (`addresses`);
 * - anything else: the tables are compiled again from the installed ones, recomputing what the
 *   change touches (`incremental`, compile/incremental.ts), or, for changes that cannot be
 *   (nodes that `nodes` peers read, say), the whole state is compiled again (`recompiled`). The plan says `recompiled`
 *   for both: the engine knows which it did.
 *
 * The engine installs the new tables with one switch after the core validated them, so a
 * decision sees the old tables or the new ones, never a mix, and a refused update changes nothing.
 */
import type { AddressState } from "../compile/index.js";
import type { AddressEntry } from "../compile/hash.js";
import { classOfAddress } from "../compile/cidr.js";
import { identityKeyOf } from "../compile/identities.js";
import { PolicyError, type Diagnostic } from "../load/diagnostics.js";
import { type ModelEntry, modelObjects, objectKey } from "../model/load.js";
import { implicitNamespace } from "../model/build.js";
import type { AdminPolicy, Cluster, IPAddress, Namespace, NetworkPolicy, Node, Pod } from "../model/types.js";

/** A Kubernetes watch event: what `kubectl get -w -o json` and the API's watch stream give. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly object: unknown;
}

export interface ApplyResult {
  /** Objects added, changed or deleted (events that changed nothing are not counted). */
  readonly changed: number;
  /**
   * What was rebuilt: nothing, the pod address tables only, the tables the change touched
   * (`incremental`: see compile/incremental.ts), or everything.
   */
  readonly update: "none" | "addresses" | "incremental" | "recompiled";
  /** Wall time of apply, in milliseconds. */
  readonly ms: number;
  /** Where that time went, in milliseconds: planning, the stages of an incremental compile (or `compile`), loading, committing. */
  readonly stages: Readonly<Record<string, number>>;
  /** Warnings and notices about the events' objects (errors throw instead). */
  readonly warnings: readonly Diagnostic[];
}

type Model = ModelEntry["model"];

/** The plan for one batch of events: computed without changing anything; `commit` makes it the state. */
export type Plan =
  | { readonly update: "none"; readonly changed: number; readonly warnings: Diagnostic[] }
  | {
      readonly update: "addresses"; readonly changed: number; readonly warnings: Diagnostic[];
      /** Addresses to take out of the tables, then entries to put in; and every entry after the change, for a rebuild. */
      readonly removed: readonly IPAddress[]; readonly added: readonly AddressEntry[]; readonly counts: { readonly 4: number; readonly 6: number };
      readonly entries: () => Iterable<AddressEntry>; commit(): void;
    }
  | { readonly update: "recompiled"; readonly changed: number; readonly warnings: Diagnostic[]; readonly cluster: Cluster; commit(addresses: AddressState): void };

interface PodAddresses {
  readonly pod: string;
  readonly entry: AddressEntry;
}

export class LiveState {
  /** Every object by key, in the order first seen (policies are numbered in this order). */
  private readonly store = new Map<string, { kind: ModelEntry["kind"]; model: Model }>();
  /** Every pod address: its slot in the address tables, and the key of its pod. */
  private readonly addressOf = new Map<string, PodAddresses>();
  /** Pod addresses per family. */
  private counts = { 4: 0, 6: 0 };

  constructor(cluster: Cluster, private state: AddressState) {
    for (const { kind, model } of objectsOf(cluster)) this.store.set(keyOf(kind, model), { kind, model });
    this.indexAddresses();
  }

  /** Validates and plans a batch of events; throws a PolicyError (and changes nothing) if any is invalid. */
  plan(events: readonly WatchEvent[]): Plan {
    events.forEach((e, i) => {
      if (typeof e !== "object" || e === null || !["ADDED", "MODIFIED", "DELETED"].includes((e as WatchEvent).type)) {
        throw new PolicyError([{ severity: "error", file: "<changes>", message: `change ${i + 1}: type must be ADDED, MODIFIED or DELETED, got ${JSON.stringify((e as WatchEvent | null)?.type)}` }]);
      }
    });
    // Each event's object read, validated and built on its own; every problem of every event is reported.
    const warnings: Diagnostic[] = [];
    const problems: Diagnostic[] = [];
    // The batch's last word on each key, in the order a replay would leave them: an object deleted
    // and created again is a new object, numbered after the others (as across batches).
    const byKey = new Map<string, Model | null>();
    const kinds = new Map<string, ModelEntry["kind"]>();
    const deleted = new Set<string>();
    const recreated = new Set<string>();
    events.forEach((e, i) => {
      try {
        const r = modelObjects([e.object], {}, `<change ${i + 1}: ${e.type}>`);
        warnings.push(...r.warnings);
        for (const { kind, model } of r.entries) {
          const key = keyOf(kind, model);
          kinds.set(key, kind);
          if (e.type === "DELETED") {
            byKey.delete(key);
            byKey.set(key, null);
            deleted.add(key);
            continue;
          }
          if (byKey.get(key) === null) byKey.delete(key);
          byKey.set(key, model);
          if (deleted.has(key) && this.store.has(key)) recreated.add(key);
        }
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        problems.push(...err.diagnostics);
      }
    });
    if (problems.length > 0) throw new PolicyError([...problems, ...warnings]);
    return this.planChanges(byKey, kinds, recreated, warnings);
  }

  /**
   * Plans the change to a whole new state (engine.replace): the objects of `cluster` by key
   * against the store's, as if by events — changed ones, new ones (last, in order), and the
   * store's objects `cluster` lacks, deleted.
   */
  planFor(cluster: Cluster): Plan {
    const byKey = new Map<string, Model | null>();
    const kinds = new Map<string, ModelEntry["kind"]>();
    for (const { kind, model } of objectsOf(cluster)) {
      const key = keyOf(kind, model);
      byKey.set(key, model);
      kinds.set(key, kind);
    }
    for (const [key, { kind }] of this.store) {
      if (byKey.has(key)) continue;
      byKey.set(key, null);
      kinds.set(key, kind);
    }
    return this.planChanges(byKey, kinds, new Set(), []);
  }

  /** The plan for the batch's last word on each key (null: deleted). */
  private planChanges(byKey: ReadonlyMap<string, Model | null>, kinds: ReadonlyMap<string, ModelEntry["kind"]>, recreated: ReadonlySet<string>, warnings: Diagnostic[]): Plan {
    const changes = [...byKey].filter(([key, model]) => {
      const old = this.store.get(key)?.model;
      if (recreated.has(key)) return true;
      return model === null ? old !== undefined : old === undefined || JSON.stringify(old) !== JSON.stringify(model);
    });
    if (changes.length === 0) return { update: "none", changed: 0, warnings };
    const apply = () => {
      for (const [key, model] of changes) {
        if (model === null || recreated.has(key)) this.store.delete(key);
        if (model !== null) this.store.set(key, { kind: kinds.get(key)!, model });
      }
    };
    const fast = changes.every(([key]) => kinds.get(key) === "Pod") ? this.podPlan(changes as [string, Pod | null][]) : undefined;
    if (fast) {
      const gone = new Set(fast.removed.map((ip) => ip.text));
      const counts = { 4: this.counts[4], 6: this.counts[6] };
      for (const ip of fast.removed) counts[ip.family]--;
      for (const a of fast.added) counts[a.entry.ip.family]++;
      return {
        update: "addresses", changed: changes.length, warnings, removed: fast.removed, added: fast.added.map((a) => a.entry), counts,
        entries: () => [...this.entries().filter((e) => !gone.has(e.ip.text)), ...fast.added.map((a) => a.entry)],
        commit: () => {
          apply();
          for (const ip of fast.removed) this.addressOf.delete(ip.text);
          for (const a of fast.added) this.addressOf.set(a.entry.ip.text, a);
          this.counts = counts;
        },
      };
    }
    // Planning changes nothing: the new state is a view of the store with the changes laid over
    // it, in the order commit gives the store (changed objects in place, new ones last).
    const over = new Map(changes.map(([key, model]) => [key, model === null ? null : { kind: kinds.get(key)!, model }]));
    // Addresses can only clash when pods change (the store's own never do).
    const cluster = this.cluster(over, recreated, changes.some(([key]) => kinds.get(key) === "Pod"));
    return {
      update: "recompiled", changed: changes.length, warnings, cluster,
      commit: (state) => {
        // Pods this batch changes lose their addresses first (a partial state gives the new ones).
        const before = changes.flatMap(([key]) => (kinds.get(key) === "Pod" ? [this.store.get(key)?.model as Pod | undefined] : []));
        apply();
        this.state = state;
        if (!state.partial) return this.indexAddresses();
        for (const pod of before) {
          for (const ip of pod?.ips ?? []) {
            if (this.addressOf.delete(ip.text)) this.counts[ip.family]--;
          }
        }
        for (const [pod, entries] of state.entriesOf) {
          const key = keyOf("Pod", pod);
          for (const entry of entries) {
            if (!this.addressOf.has(entry.ip.text)) this.counts[entry.ip.family]++;
            this.addressOf.set(entry.ip.text, { pod: key, entry });
          }
        }
      },
    };
  }

  /**
   * The cluster state as the compiler takes it, with `over` laid over the store (null: deleted;
   * keys the store lacks, and `recreated` ones, come last, in order); an address owned by two
   * pods is an error (checked when `checkAddresses`: the store's pods never clash).
   */
  cluster(over: ReadonlyMap<string, { kind: ModelEntry["kind"]; model: Model } | null> = new Map(), recreated: ReadonlySet<string> = new Set(), checkAddresses = true): Cluster {
    const namespaces = new Map<string, Namespace>();
    const pods: Pod[] = [];
    const policies: NetworkPolicy[] = [];
    const adminPolicies: AdminPolicy[] = [];
    const nodes: Node[] = [];
    const entries = function* (store: LiveState["store"]) {
      for (const [key, entry] of store) {
        const o = over.get(key);
        if (o === undefined) yield entry;
        else if (o !== null && !recreated.has(key)) yield o;
      }
      for (const [key, o] of over) if (o !== null && (!store.has(key) || recreated.has(key))) yield o;
    };
    for (const { kind, model } of entries(this.store)) {
      if (kind === "Namespace") namespaces.set((model as Namespace).name, model as Namespace);
      else if (kind === "Pod") pods.push(model as Pod);
      else if (kind === "NetworkPolicy") policies.push(model as NetworkPolicy);
      else if (kind === "Node") nodes.push(model as Node);
      else adminPolicies.push(model as AdminPolicy);
    }
    for (const o of [...pods, ...policies]) if (!namespaces.has(o.namespace)) namespaces.set(o.namespace, implicitNamespace(o.namespace));
    const owner = new Map<string, Pod>();
    for (const pod of checkAddresses ? pods : []) {
      for (const ip of pod.ips) {
        const other = owner.get(ip.text);
        if (other) throw duplicateAddress(pod, other, ip.text);
        owner.set(ip.text, pod);
      }
    }
    const sorted = [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { namespaces: sorted, pods, policies, ...(adminPolicies.length > 0 ? { adminPolicies } : {}), ...(nodes.length > 0 ? { nodes } : {}) };
  }

  /** What the address tables hold now (the last committed state's entries). */
  entries(): AddressEntry[] {
    return [...this.addressOf.values()].map((a) => a.entry);
  }

  /**
   * Pods only: the addresses to remove and to add, or undefined when some pod needs tables the
   * bundle does not have (a new identity, a CIDR class its identity has no class for).
   */
  private podPlan(changes: readonly (readonly [string, Pod | null])[]): { removed: IPAddress[]; added: PodAddresses[] } | undefined {
    const removed: IPAddress[] = [];
    const gone = new Set<string>();
    for (const [key] of changes) {
      const old = this.store.get(key)?.model as Pod | undefined;
      for (const ip of old?.ips ?? []) {
        removed.push(ip);
        gone.add(ip.text);
      }
    }
    const added: PodAddresses[] = [];
    const taken = new Map<string, string>(); // addresses this batch gives out, to their pods
    for (const [key, pod] of changes) {
      if (!pod) continue;
      const entries = this.known(pod) ?? this.state.place(pod);
      if (entries === undefined) return undefined;
      for (const entry of entries) {
        const ip = entry.ip;
        const owner = taken.get(ip.text) ?? (gone.has(ip.text) ? undefined : this.addressOf.get(ip.text)?.pod);
        if (owner !== undefined) throw duplicateAddress(pod, (this.store.get(owner)?.model ?? changes.find(([k]) => k === owner)![1]) as Pod, ip.text);
        taken.set(ip.text, key);
        added.push({ pod: key, entry });
      }
    }
    return { removed, added };
  }

  /** Slot values of a pod whose identity and peer classes the tables have; undefined otherwise. */
  private known(pod: Pod): AddressEntry[] | undefined {
    const identity = this.state.identityOf.get(identityKeyOf(pod));
    if (identity === undefined) return undefined;
    const out: AddressEntry[] = [];
    for (const ip of pod.ips) {
      const original = this.state.classOf.get(`${identity}:${classOfAddress(this.state.cidr, ip)}`);
      if (original === undefined) return undefined;
      out.push({ ip, value: [this.state.slotWord(original), this.state.egressOf[identity]!, this.state.ingressOf[identity]!], reason: this.state.reasonOf(original) });
    }
    return out;
  }

  private indexAddresses(): void {
    this.addressOf.clear();
    this.counts = { 4: 0, 6: 0 };
    // The store's pods are the compiled cluster's: the compiler already placed each address.
    for (const [key, { kind, model }] of this.store) {
      if (kind !== "Pod") continue;
      for (const entry of this.state.entriesOf.get(model as Pod)!) {
        this.addressOf.set(entry.ip.text, { pod: key, entry });
        this.counts[entry.ip.family]++;
      }
    }
  }
}

/** The objects of a cluster state as the store keeps them, by kind (namespaces the loader made up are none). */
function objectsOf(cluster: Cluster): { kind: ModelEntry["kind"]; model: Model }[] {
  return [
    ...cluster.namespaces.filter((ns) => !ns.implicit).map((model) => ({ kind: "Namespace" as const, model })),
    ...cluster.pods.map((model) => ({ kind: "Pod" as const, model })),
    ...cluster.policies.map((model) => ({ kind: "NetworkPolicy" as const, model })),
    ...(cluster.adminPolicies ?? []).map((model) => ({ kind: model.kind ?? (model.tier === "admin" ? "AdminNetworkPolicy" : "BaselineAdminNetworkPolicy"), model })),
    ...(cluster.nodes ?? []).map((model) => ({ kind: "Node" as const, model })),
  ];
}

/** The store's key of a built object: namespaced kinds by namespace and name, the others by name. */
function keyOf(kind: ModelEntry["kind"], model: Model): string {
  return objectKey(kind, kind === "Pod" || kind === "NetworkPolicy" ? (model as Pod | NetworkPolicy).namespace : undefined, (model as { name: string }).name);
}

function duplicateAddress(pod: Pod, owner: Pod, ip: string): PolicyError {
  return new PolicyError([{
    severity: "error", file: "<changes>", object: `Pod ${pod.namespace}/${pod.name}`, path: "status.podIPs",
    message: `Duplicate value: "${ip}": address already owned by running Pod ${owner.namespace}/${owner.name}`,
  }]);
}

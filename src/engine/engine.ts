/**
 * The engine: a validated bundle inside its own core instance, deciding flows in batches
 * written straight into WebAssembly memory. The host crosses into the core once per chunk of
 * up to CHUNK flows; nothing is allocated per flow.
 */
import { compileCluster, type CompileStats } from "../compile/index.js";
import { LiveCompiler, type Seed } from "../compile/incremental.js";
import { sectionWords, writeBundle } from "../compile/bundle.js";
import { type AddressTables, buildAddressTables, insertEntries, removeAddresses, roomFor } from "../compile/hash.js";
import { LOAD_ERRORS, Meta, Section } from "../compile/layout.js";
import type { Cluster, IPAddress, Protocol, Reason, Verdict } from "../model/types.js";
import { toIPAddress } from "../validate/ip.js";
import { type BatchBuffers, FlowBatch, WORDS_PER_ADDRESS, packMeta, writeAddress } from "./batch.js";
import { type CoreExports, coreModule, coreModuleSync, instantiate } from "./core.js";
import { type ApplyResult, LiveState, type Plan, type WatchEvent } from "./live.js";
import { type ReasonNames, decodeReason, readNames } from "./reasons.js";

export type { ApplyResult, CoreExports, WatchEvent };

/** Flows per call into the core: large enough to amortise the call, small enough for L2. */
export const CHUNK = 16384;

export const VERDICT_DENY = 0;
export const VERDICT_ALLOW = 1;
export const VERDICT_INVALID = 255;

/**
 * Multi-threaded decisions need worker threads, which only the Node entry point brings
 * (src/engine/parallel.ts registers itself); browsers get a clear error instead of a crash.
 */
export interface ParallelBackend {
  decide(engine: Engine, batch: FlowBatch, out: Uint8Array, threads: number): Promise<Uint8Array>;
  /** The engine's instance of the threads build: its tables on memory every worker shares. */
  sharedCore(engine: Engine): CoreExports;
  close(engine: Engine): Promise<void>;
  defaultThreads(): number;
}

let parallel: ParallelBackend | undefined;

const NO_THREADS = (what: string) => `${what} needs worker threads: import "netpol-wasm" in Node (not "netpol-wasm/browser")`;

export function setParallelBackend(backend: ParallelBackend): void {
  parallel = backend;
}

/** Where a batch made by createBatch lives: which engine, which core instance, which addresses. */
const RESIDENT = Symbol("netpol-wasm resident batch");
export interface ResidentBatch {
  readonly engine: Engine;
  readonly core: CoreExports;
  readonly src: number;
  readonly dst: number;
  readonly meta: number;
  readonly out: number;
  verdicts: Uint8Array;
}
type Resident = FlowBatch & { [RESIDENT]?: ResidentBatch };

/** @internal Where a batch lives, if createBatch made it. */
export function residentOf(batch: FlowBatch): ResidentBatch | undefined {
  return (batch as Resident)[RESIDENT];
}

/** What explainBatch returns: the verdicts, and one reason code per flow and direction. */
export interface Explanations {
  readonly verdicts: Uint8Array;
  /** Reason codes (engine/reasons.ts); `engine.reason(code)` turns one into a `Reason`. */
  readonly egress: Uint32Array;
  readonly ingress: Uint32Array;
  /**
   * Bundles with admin tiers: per flow two words, egress then ingress, each 0 or 1 + the tier
   * rule whose Pass handed that side's decision down (`engine.reason(code, pass)` names it).
   */
  readonly passes?: Uint32Array;
}

/** One flow explained, with the policies named. */
export interface NamedExplanation {
  readonly verdict: Verdict;
  readonly egress: NamedReason;
  readonly ingress: NamedReason;
}

export type NamedReason = (Reason | { readonly kind: "invalid" | "unknown" }) & {
  /** "namespace/name" of the allowing policy, or of each isolating policy. */
  readonly names?: readonly string[];
};

export class BundleError extends Error {
  constructor(readonly code: number) {
    super(`invalid bundle: ${LOAD_ERRORS[code] ?? `error ${code}`}`);
    this.name = "BundleError";
  }
}

/**
 * @internal Two places in a core's memory, used in turn: a load fills the one the installed
 * tables do not use, so they stay intact until the new ones validated (and a failed load
 * leaves them in place). A place too small is replaced by one with room to grow.
 */
export class Places {
  private readonly places: { ptr: number; capacity: number }[] = [];
  /** The place the installed tables use; -1 for none. */
  active = -1;

  constructor(private readonly alloc: (bytes: number) => number) {}

  /** A place of at least `bytes` other than the active one. */
  spare(bytes: number): number {
    const free = this.places.findIndex((p, i) => i !== this.active && p.capacity >= bytes);
    if (free >= 0) return free;
    const capacity = this.places.length === 0 ? bytes : Math.ceil(bytes * 1.25);
    const ptr = this.alloc(capacity);
    if (ptr === 0) throw new BundleError(11);
    const i = this.places.length < 2 ? this.places.length : this.places.findIndex((_, k) => k !== this.active);
    this.places[i] = { ptr, capacity };
    return i;
  }

  ptr(i: number): number {
    return this.places[i]!.ptr;
  }
}

/** @internal Copies a bundle into a spare place and installs it there; throws BundleError if the core refuses it. */
export function loadBundleInto(core: Pick<CoreExports, "memory" | "loadBundle">, places: Places, bytes: Uint8Array): void {
  const i = places.spare(bytes.byteLength);
  new Uint8Array(core.memory.buffer, places.ptr(i), bytes.byteLength).set(bytes);
  const code = core.loadBundle(places.ptr(i), bytes.byteLength);
  if (code !== 0) throw new BundleError(code);
  places.active = i;
}

export class Engine {
  private readonly src: number;
  private readonly dst: number;
  private readonly meta: number;
  private readonly out: number;
  private readonly scratch = new Uint32Array(WORDS_PER_ADDRESS * 2);

  /** Use compile/loadBundle (or their Sync forms) to make one. */
  private constructor(private readonly core: CoreExports, private bytes: Uint8Array, private statsNow?: CompileStats, private liveState?: () => LiveState, private seed?: Seed) {
    this.installBundle(bytes);
    this.src = core.alloc(CHUNK * 16);
    this.dst = core.alloc(CHUNK * 16);
    this.meta = core.alloc(CHUNK * 4);
    this.out = core.alloc(CHUNK);
    if (!this.src || !this.dst || !this.meta || !this.out) throw new BundleError(11);
  }

  /** @internal */
  static create(module: WebAssembly.Module, bytes: Uint8Array, stats?: CompileStats, live?: () => LiveState, seed?: Seed): Engine {
    return new Engine(instantiate(module), bytes, stats, live, seed);
  }

  /** Sizes and counts of the compiled tables (engines made by compile; after apply, of the last compile). */
  get stats(): CompileStats | undefined {
    return this.statsNow;
  }

  /** Bumped by every apply that changed the tables (decideParallel's threads reload at the next batch). */
  get version(): number {
    return this.versionNow;
  }

  /** The bundle this engine runs: save it, and load it later without the compiler. */
  bundle(): Uint8Array {
    if (this.addressTables) {
      // Live updates replaced the address tables since the last compile: write them into the bundle.
      const t = this.addressTables;
      const meta = this.metaOf().slice();
      meta[Meta.HASH4_CAPACITY] = t.hash4.length / 4; // the tables may have grown
      meta[Meta.HASH6_CAPACITY] = t.hash6.length / 8;
      const replaced = new Map<number, Uint32Array>([[Section.META, meta], [Section.HASH4, t.hash4], [Section.HASH6, t.hash6], [Section.REASONS4, t.reasons4], [Section.REASONS6, t.reasons6]]);
      const ids = Object.values(Section);
      this.bytes = writeBundle(ids.map((id) => ({ id, words: replaced.get(id) ?? sectionWords(this.bytes, id)! })));
      this.addressTables = undefined;
      this.metaWords = undefined;
    }
    return this.bytes.slice();
  }

  /**
   * Changes the cluster this engine decides for: Kubernetes watch events (ADDED, MODIFIED,
   * DELETED with the object) of Namespaces, Pods, NetworkPolicies, admin-tier policies and Nodes.
   * All events are validated first (a PolicyError names each bad object and field, and nothing
   * changes); pods that fit the tables only edit the pod address tables, anything else compiles
   * the tables again from the installed ones, recomputing only what the change touches (or the
   * whole state, for node changes under `nodes` peers and tables grown far past their last whole compile; see
   * ApplyResult.update and .stages). The new tables replace the old ones with one switch after
   * the core validated them: a decision sees the old or the new state, never a mix. Only engines
   * made by compile(cluster) can apply changes.
   */
  apply(events: readonly WatchEvent[]): ApplyResult {
    return this.change("apply", (live) => live.plan(events));
  }

  /**
   * Changes the cluster this engine decides for to `cluster`, a whole new state (manifests read
   * again, say): as apply would with the events between the two states — objects matched by
   * kind, namespace and name, only what changed recomputed. Only engines made by compile(cluster).
   */
  replace(cluster: Cluster): ApplyResult {
    return this.change("replace", (live) => live.planFor(cluster));
  }

  private change(what: string, planOf: (live: LiveState) => Plan): ApplyResult {
    const started = performance.now();
    if (!this.liveState) throw new Error(`${what}: this engine was loaded from a bundle; live updates need the cluster it was compiled from (use compile)`);
    const stages: Record<string, number> = {};
    let last = started;
    const lap = (stage: string) => {
      const now = performance.now();
      stages[stage] = now - last;
      last = now;
    };
    // The store of objects is built on the first change: engines that never change pay nothing for it.
    this.live ??= this.liveState();
    const plan = planOf(this.live);
    lap("plan");
    let update: ApplyResult["update"] = plan.update;
    if (plan.update === "addresses") {
      const tables = this.editedAddresses(plan);
      lap("addresses");
      try {
        this.installAddresses(tables);
      } catch (err) {
        // The mirror may have been edited in place: make it the installed tables' again.
        if (tables === this.addressTables) this.addressTables = buildAddressTables(this.live.entries(), this.packedSlots());
        throw err;
      }
      lap("load");
      this.addressTables = tables;
      plan.commit();
      this.versionNow++;
    } else if (plan.update === "recompiled") {
      // Incrementally from the tables installed when the change is one live compiles make; else whole.
      this.incremental ??= this.seed && new LiveCompiler(this.seed);
      this.seed = undefined;
      let compiled = this.incremental?.update(plan.cluster);
      let seed: Seed | undefined;
      if (compiled) {
        update = "incremental";
        Object.assign(stages, compiled.stages);
        last = performance.now();
      } else {
        const whole = compileCluster(plan.cluster);
        compiled = { ...whole, stages: {}, commit: () => {} };
        seed = whole.live; // the next live compile carries on from it
        lap("compile");
      }
      try {
        this.installBundle(compiled.bytes);
      } catch (err) {
        this.incremental = undefined; // its state is neither the installed tables' nor the next ones'
        throw err;
      }
      lap("load");
      compiled.commit();
      if (seed) [this.incremental, this.seed] = [undefined, seed];
      this.bytes = compiled.bytes;
      this.addressTables = undefined;
      this.statsNow = compiled.stats;
      this.parsedNames = undefined;
      this.metaWords = undefined;
      plan.commit(compiled.addresses);
      this.versionNow++;
    }
    lap("commit");
    return { changed: plan.changed, update, ms: performance.now() - started, stages, warnings: plan.warnings };
  }

  private live?: LiveState;
  /** Made from the last whole compile's seed at the first change after it that is not pods only; dropped when a load fails. */
  private incremental?: LiveCompiler;
  private versionNow = 0;
  private addressTables?: AddressTables;
  /** Two places for bundles and two for address tables: a load fills one the installed tables do not use. */
  private readonly bundlePlaces = new Places((bytes) => this.core.alloc(bytes));
  private readonly addressPlaces = new Places((bytes) => this.core.alloc(bytes));

  /**
   * The address tables after a pod-only plan: the engine's mirror of the installed ones (a copy
   * of the bundle's at first) edited in place, each address removed or added in O(1) — the core
   * copies them into memory the installed tables do not use, so a refused install only needs the
   * mirror made again — or built again when a family's table would be more than half full.
   */
  private editedAddresses(plan: Extract<Plan, { update: "addresses" }>): AddressTables {
    const t = this.addressTables ?? {
      hash4: sectionWords(this.bytes, Section.HASH4)!, hash6: sectionWords(this.bytes, Section.HASH6)!,
      reasons4: sectionWords(this.bytes, Section.REASONS4)!, reasons6: sectionWords(this.bytes, Section.REASONS6)!,
    };
    if (!roomFor(t, plan.counts)) return buildAddressTables(plan.entries(), this.packedSlots());
    removeAddresses(t, plan.removed);
    insertEntries(t, plan.added);
    return t;
  }

  private packedSlots(): boolean {
    return this.metaOf()[Meta.REASON_IN_SLOT] === 1;
  }

  private installBundle(bytes: Uint8Array): void {
    loadBundleInto(this.core, this.bundlePlaces, bytes);
    this.addressPlaces.active = -1; // the bundle's own address tables
  }

  private installAddresses(t: AddressTables): void {
    const parts = [t.hash4, t.hash6, t.reasons4, t.reasons6];
    const i = this.addressPlaces.spare(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = this.addressPlaces.ptr(i);
    const ptrs = parts.map((p) => {
      new Uint32Array(this.core.memory.buffer, at, p.length).set(p);
      const here = at;
      at += p.byteLength;
      return here;
    });
    const code = this.core.updateAddresses(ptrs[0]!, t.hash4.length / 4, ptrs[1]!, t.hash6.length / 8, ptrs[2]!, ptrs[3]!);
    if (code !== 0) throw new BundleError(code);
    this.addressPlaces.active = i;
  }

  /** One flow, for convenience; addresses as text or parsed. Use decideBatch for speed. */
  decide(src: string | IPAddress, dst: string | IPAddress, protocol: Protocol, port: number): Verdict {
    const s = typeof src === "string" ? toIPAddress(src) : src;
    const d = typeof dst === "string" ? toIPAddress(dst) : dst;
    if (s.family !== d.family) throw new RangeError(`decide: ${s.text} and ${d.text} are of different families`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`decide: port ${port} is not in 1..65535`);
    if (s.family === 4) {
      const meta = packMeta(port, protocol, 4);
      return this.core.decide4(meta, ipv4Word(s.bytes), ipv4Word(d.bytes)) === VERDICT_ALLOW ? "allow" : "deny";
    }
    const w = this.scratch;
    writeAddress(w, 0, s);
    writeAddress(w, 4, d);
    const v = this.core.decide(packMeta(port, protocol, s.family), w[0]!, w[1]!, w[2]!, w[3]!, w[4]!, w[5]!, w[6]!, w[7]!);
    return v === VERDICT_ALLOW ? "allow" : "deny";
  }

  /**
   * A batch that lives in this engine's WebAssembly memory: flows written into it are decided
   * in place, with no copy at all. With `{ shared: true }` (Node) it lives in the memory the
   * threads of decideParallel share instead, so decideParallel and decideBatch both decide it in
   * place. Its arrays are re-made if memory grows (by a later createBatch), so read
   * `batch.src` etc. afresh rather than keeping them.
   */
  createBatch(capacity: number, options: { shared?: boolean } = {}): FlowBatch {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`createBatch: capacity must be a whole number, got ${capacity}`);
    let core = this.core;
    if (options.shared) {
      if (!parallel) throw new Error(NO_THREADS("createBatch({ shared: true })"));
      core = parallel.sharedCore(this);
    }
    const src = core.alloc(capacity * 16);
    const dst = core.alloc(capacity * 16);
    const meta = core.alloc(capacity * 4);
    const out = core.alloc(capacity);
    if (capacity > 0 && (!src || !dst || !meta || !out)) throw new RangeError(`createBatch: no memory for ${capacity} flows`);
    const batch = new FlowBatch(capacity, () => ({
      src: new Uint32Array(core.memory.buffer, src, capacity * 4),
      dst: new Uint32Array(core.memory.buffer, dst, capacity * 4),
      meta: new Uint32Array(core.memory.buffer, meta, capacity),
    }));
    const verdicts = new Uint8Array(core.memory.buffer, out, capacity);
    const record: ResidentBatch = { engine: this, core, src, dst, meta, out, verdicts };
    Object.defineProperty(batch, RESIDENT, { value: record, enumerable: false });
    return batch;
  }

  /**
   * Decides every flow of the batch; returns one byte per flow (1 allow, 0 deny, 255 for a
   * flow whose protocol or family code is not valid), in `out` if given. A batch made by
   * createBatch is decided in place, and without `out` the result is a view into engine
   * memory, valid until that batch is decided again; any other batch is copied in chunks of
   * CHUNK flows and the result is a new array.
   */
  decideBatch(batch: FlowBatch, out?: Uint8Array): Uint8Array {
    if (out && out.length < batch.length) throw new RangeError(`decideBatch: out holds ${out.length} verdicts, the batch has ${batch.length} flows`);
    const resident = residentOf(batch);
    if (resident?.engine === this) {
      const code = resident.core.decideBatch(batch.length, resident.src, resident.dst, resident.meta, resident.out);
      if (code !== 0) throw new Error(`decideBatch: core error ${code}`);
      // A detached view has length 0: made again only after memory grew. No allocation per call.
      if (resident.verdicts.length === 0 && batch.capacity > 0) {
        resident.verdicts = new Uint8Array(resident.core.memory.buffer, resident.out, batch.capacity);
      }
      const verdicts = batch.length === batch.capacity ? resident.verdicts : resident.verdicts.subarray(0, batch.length);
      if (!out) return verdicts;
      out.set(verdicts);
      return out;
    }
    const result = out ?? new Uint8Array(batch.length);
    this.decideRange(batch, 0, batch.length, result);
    return result;
  }

  /**
   * @internal Flows [from, to) of a batch not in this engine's memory, copied in chunks of
   * CHUNK flows; verdict i goes to out[i]. decideParallel's calling thread shares this path.
   */
  decideRange(batch: BatchBuffers, from: number, to: number, out: Uint8Array): void {
    for (let start = from; start < to; start += CHUNK) {
      const n = Math.min(CHUNK, to - start);
      this.stage(batch, start, n);
      const code = this.core.decideBatch(n, this.src, this.dst, this.meta, this.out);
      if (code !== 0) throw new Error(`decideBatch: core error ${code}`);
      const v = this.views();
      out.set(n === CHUNK ? v.out : v.out.subarray(0, n), start);
    }
  }

  /** Copies flows [start, start + n) of a batch into the chunk buffers (src, dst, meta). */
  private stage(batch: BatchBuffers, start: number, n: number): void {
    const v = this.views();
    v.src.set(batch.src.subarray(start * 4, (start + n) * 4));
    v.dst.set(batch.dst.subarray(start * 4, (start + n) * 4));
    v.meta.set(batch.meta.subarray(start, start + n));
  }

  /**
   * The verdicts of decideBatch and, per flow and direction, why (see `Explanations`): the
   * first rule that allowed, the profile that isolated and denied, none, or self. Chunks of
   * CHUNK flows, like decideBatch; results in `out` if given.
   */
  explainBatch(batch: FlowBatch, out?: Explanations): Explanations {
    const n = batch.length;
    if (out && (out.verdicts.length < n || out.egress.length < n || out.ingress.length < n)) {
      throw new RangeError(`explainBatch: out holds fewer than the batch's ${n} flows`);
    }
    const tiers = this.tierRules > 0;
    if (out && tiers && (out.passes?.length ?? 0) < 2 * n) throw new RangeError(`explainBatch: out.passes holds fewer than the batch's ${2 * n} words`);
    const result = out ?? this.createExplanations(n);
    this.explainViews(); // allocates the reason buffers before any view is taken
    const resident = residentOf(batch);
    const inPlace = resident?.engine === this && resident.core === this.core ? resident : undefined;
    for (let start = 0; start < n; start += CHUNK) {
      const k = Math.min(CHUNK, n - start);
      if (!inPlace) this.stage(batch, start, k);
      const [src, dst, meta] = inPlace ? [inPlace.src + start * 16, inPlace.dst + start * 16, inPlace.meta + start * 4] : [this.src, this.dst, this.meta];
      const code = tiers
        ? this.core.explainTiers(k, src, dst, meta, this.out, this.egress!, this.ingress!, this.passes!)
        : this.core.explainBatch(k, src, dst, meta, this.out, this.egress!, this.ingress!);
      if (code !== 0) throw new Error(`explainBatch: core error ${code}`);
      const v = this.views();
      const e = this.explainViews();
      result.verdicts.set(v.out.subarray(0, k), start);
      result.egress.set(e.egress.subarray(0, k), start);
      result.ingress.set(e.ingress.subarray(0, k), start);
      if (tiers) result.passes!.set(e.passes!.subarray(0, 2 * k), 2 * start);
    }
    return result;
  }

  /** A reason code of explainBatch as a `Reason` (policy numbers in cluster order); `pass` is the side's word of `passes`. */
  reason(code: number, pass = 0): Reason | { readonly kind: "invalid" | "unknown" } {
    return decodeReason(code, this.names(), pass);
  }

  /** Buffers for explainBatch's `out`, for n flows (with `passes` when the bundle has admin tiers). */
  createExplanations(n: number): Explanations {
    return { verdicts: new Uint8Array(n), egress: new Uint32Array(n), ingress: new Uint32Array(n), ...(this.tierRules > 0 ? { passes: new Uint32Array(2 * n) } : {}) };
  }

  /** "namespace/name" of policy number i (as reasons number them). */
  policyName(i: number): string {
    const p = this.names().policies[i];
    if (!p) throw new RangeError(`policyName: no policy ${i} in this bundle`);
    return `${p[0]}/${p[1]}`;
  }

  /** One flow explained, the policies named: for people; use explainBatch for many flows. */
  explain(src: string | IPAddress, dst: string | IPAddress, protocol: Protocol, port: number): NamedExplanation {
    const s = typeof src === "string" ? toIPAddress(src) : src;
    const d = typeof dst === "string" ? toIPAddress(dst) : dst;
    if (s.family !== d.family) throw new RangeError(`explain: ${s.text} and ${d.text} are of different families`);
    const one = (this.single ??= new FlowBatch(1));
    one.clear();
    one.push(s, d, protocol, port);
    const x = this.explainBatch(one);
    const named = (code: number, pass: number): NamedReason => {
      const r = this.reason(code, pass);
      if (r.kind === "allowed") return { ...r, names: [this.policyName(r.policy)] };
      if (r.kind === "denied") return { ...r, names: r.policies.map((p) => this.policyName(p)) };
      return r;
    };
    return { verdict: x.verdicts[0] === VERDICT_ALLOW ? "allow" : "deny", egress: named(x.egress[0]!, x.passes?.[0] ?? 0), ingress: named(x.ingress[0]!, x.passes?.[1] ?? 0) };
  }

  private single?: FlowBatch;
  private parsedNames?: ReasonNames;
  private egress?: number;
  private ingress?: number;
  private passes?: number;
  private explainCache?: { buffer: ArrayBuffer; egress: Uint32Array; ingress: Uint32Array; passes?: Uint32Array };

  /** The bundle's META words (the core validated the section table), read once per bundle. */
  private metaOf(): Uint32Array {
    this.metaWords ??= sectionWords(this.bytes, Section.META)!;
    return this.metaWords;
  }
  private metaWords?: Uint32Array;

  /** Admin- and baseline-tier rules in the bundle; explainBatch reports Pass rules when there are any. */
  private get tierRules(): number {
    return this.metaOf()[Meta.TIER_RULES]!;
  }

  private names(): ReasonNames {
    this.parsedNames ??= readNames(this.bytes);
    return this.parsedNames;
  }

  /** The reason buffers (allocated on first use) and views of them, made again when memory grew. */
  private explainViews() {
    if (this.egress === undefined) {
      this.egress = this.core.alloc(CHUNK * 4);
      this.ingress = this.core.alloc(CHUNK * 4);
    }
    // Pass words only for bundles with admin tiers, which an apply may bring to an engine that explained before.
    if (this.tierRules > 0 && this.passes === undefined) this.passes = this.core.alloc(CHUNK * 8);
    if (!this.egress || !this.ingress || this.passes === 0) throw new RangeError("explainBatch: no memory for reason buffers");
    const buffer = this.core.memory.buffer;
    if (this.explainCache?.buffer !== buffer || (this.passes !== undefined && !this.explainCache.passes)) {
      this.explainCache = {
        buffer,
        egress: new Uint32Array(buffer, this.egress, CHUNK),
        ingress: new Uint32Array(buffer, this.ingress!, CHUNK),
        ...(this.passes ? { passes: new Uint32Array(buffer, this.passes, 2 * CHUNK) } : {}),
      };
    }
    return this.explainCache;
  }

  /**
   * Decides a large batch on several threads (default: every core); verdicts are identical to
   * decideBatch and in input order. Worth it from about 100,000 flows; a batch from
   * `createBatch(n, { shared: true })` is decided where it is, any other is copied once into
   * the memory the threads share. Node only.
   */
  async decideParallel(batch: FlowBatch, options: { threads?: number; out?: Uint8Array } = {}): Promise<Uint8Array> {
    if (!parallel) throw new Error(NO_THREADS("decideParallel"));
    const threads = options.threads ?? parallel.defaultThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`decideParallel: threads must be a whole number ≥ 1, got ${threads}`);
    const out = options.out ?? new Uint8Array(batch.length);
    if (out.length < batch.length) throw new RangeError(`decideParallel: out holds ${out.length} verdicts, the batch has ${batch.length} flows`);
    if (threads === 1) return this.decideBatch(batch, out);
    return parallel.decide(this, batch, out, threads);
  }

  /** Stops this engine's worker threads, if decideParallel started any. */
  async close(): Promise<void> {
    await parallel?.close(this);
  }

  private cached?: { buffer: ArrayBuffer; src: Uint32Array; dst: Uint32Array; meta: Uint32Array; out: Uint8Array };

  /** Views of the chunk buffers, made again only when memory has grown. */
  private views() {
    const buffer = this.core.memory.buffer;
    if (this.cached?.buffer !== buffer) {
      this.cached = {
        buffer,
        src: new Uint32Array(buffer, this.src, CHUNK * 4),
        dst: new Uint32Array(buffer, this.dst, CHUNK * 4),
        meta: new Uint32Array(buffer, this.meta, CHUNK),
        out: new Uint8Array(buffer, this.out, CHUNK),
      };
    }
    return this.cached;
  }
}

function ipv4Word(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}


/** Compiles a cluster into a bundle and an engine running it; `engine.apply` updates it live. */
export async function compile(cluster: Cluster): Promise<Engine> {
  const module = await coreModule();
  const { bytes, stats, addresses, live } = compileCluster(cluster);
  return Engine.create(module, bytes, stats, () => new LiveState(cluster, addresses), live);
}

export function compileSync(cluster: Cluster): Engine {
  const { bytes, stats, addresses, live } = compileCluster(cluster);
  return Engine.create(coreModuleSync(), bytes, stats, () => new LiveState(cluster, addresses), live);
}

/** An engine for a saved bundle; the compiler is not needed. Throws BundleError if invalid. */
export async function loadBundle(bytes: Uint8Array): Promise<Engine> {
  return Engine.create(await coreModule(), bytes);
}

export function loadBundleSync(bytes: Uint8Array): Engine {
  return Engine.create(coreModuleSync(), bytes);
}

export { FlowBatch };

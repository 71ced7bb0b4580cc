/**
 * All cores (Node): `engine.decideParallel(batch, { threads })` spreads a batch over the
 * calling thread and threads - 1 worker_threads.
 *
 * They all run the threads build of the core (assembly/shared.ts) on one shared
 * WebAssembly.Memory: the engine's bundle is loaded into it once, by an instance on this
 * thread, and every worker instance adopts those tables — one copy of the tables in the
 * caches for all threads, and flows read where they lie, never copied per thread. A batch from
 * `engine.createBatch(n, { shared: true })` already lies there; any other is copied in once.
 * Every thread takes GRAIN flows at a time off one shared counter until none are left, and
 * verdict i is written at i, so verdicts come back in input order, identical to decideBatch.
 *
 * The worker is a plain script (eval'd), so it runs the same from dist/, tsx or vitest.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CORE_SHARED_WASM_BASE64 } from "../generated/core-shared.js";
import { FlowBatch, WORDS_PER_ADDRESS } from "./batch.js";
import { ABI_MAJOR } from "./core.js";
import { type CoreExports, type Engine, type ParallelBackend, Places, loadBundleInto, residentOf, setParallelBackend } from "./engine.js";

/**
 * Flows a thread takes at a time: a thread slowed by the machine (a busy neighbour, a garbage
 * collection on the caller's heap) takes fewer grains instead of holding up the call, and the
 * last grain ends close to the others.
 */
export const GRAIN = 4096;

/** Pages of the shared memory: 64 KiB at first, up to the 4 GiB a 32-bit core can address. */
const INITIAL_PAGES = 1;
const MAXIMUM_PAGES = 65536;

interface SharedCore extends CoreExports {
  tablesAt(): number;
  useTables(ptr: number): number;
}

let sharedModule: WebAssembly.Module | undefined;

function threadsModule(): WebAssembly.Module {
  sharedModule ??= new WebAssembly.Module(Uint8Array.from(atob(CORE_SHARED_WASM_BASE64), (c) => c.charCodeAt(0)));
  return sharedModule;
}

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, tables, grain } = workerData;
const core = new WebAssembly.Instance(module, { env: { memory } }).exports;
let using = tables;
let adopted = core.useTables(tables);
parentPort.on("message", (job) => {
  // After engine.apply the host loads new tables: each job names the ones to use.
  if (job.tables !== using) {
    using = job.tables;
    adopted = core.useTables(using);
  }
  if (adopted !== 0) return parentPort.postMessage({ id: job.id, error: "tables not adopted: code " + adopted });
  const next = new Int32Array(job.next);
  for (let i = Atomics.add(next, 0, grain); i < job.length; i = Atomics.add(next, 0, grain)) {
    const n = Math.min(grain, job.length - i);
    const code = core.decideBatch(n, job.src + i * 16, job.dst + i * 16, job.meta + i * 4, job.out + i);
    if (code !== 0) return parentPort.postMessage({ id: job.id, error: "core error " + code });
  }
  parentPort.postMessage({ id: job.id });
});
`;

/** Where a batch lies in the shared memory. */
interface Place {
  src: number;
  dst: number;
  meta: number;
  out: number;
}

/** One engine's threads: the shared memory with its tables, and the workers deciding on it. */
class Pool {
  readonly core: SharedCore;
  private tables: number;
  /** The engine version whose tables are loaded; two bundle places, used in turn. */
  private version: number;
  private readonly places: Places;
  private readonly workers: Worker[] = [];
  private readonly next = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private staging?: Place & { capacity: number };

  constructor(private readonly engine: Engine) {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.core = new WebAssembly.Instance(threadsModule(), { env: { memory } }).exports as unknown as SharedCore;
    const major = this.core.abiVersion() >>> 16;
    if (major !== ABI_MAJOR) throw new Error(`netpol-wasm: threads core ABI ${major} is not the ABI ${ABI_MAJOR} this engine speaks`);
    this.places = new Places((bytes) => this.core.alloc(bytes));
    this.version = engine.version;
    this.tables = this.load(engine.bundle());
  }

  /** Loads a bundle beside the installed one (a worker still on those is unaffected); its tables, for the workers. */
  private load(bundle: Uint8Array): number {
    loadBundleInto(this.core, this.places, bundle);
    return this.core.tablesAt();
  }

  /** At least `count` workers, started on first need and kept until close(). */
  private ensureWorkers(count: number): void {
    while (this.workers.length < count) {
      const w = new Worker(WORKER, { eval: true, workerData: { module: threadsModule(), memory: this.core.memory, tables: this.tables, grain: GRAIN } });
      w.unref(); // an idle pool never keeps the process alive
      w.on("message", (msg: { id: number; error?: string }) => {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`decideParallel: ${msg.error}`));
        else p?.resolve();
      });
      w.on("error", (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
  }

  /** The batch's place in shared memory: where it lies, or a staging area it is copied into. */
  private place(batch: FlowBatch): Place {
    const resident = residentOf(batch);
    if (resident?.core === this.core) return resident;
    const n = batch.length;
    if (!this.staging || this.staging.capacity < n) {
      const capacity = Math.max(n, GRAIN);
      const src = this.core.alloc(capacity * 16);
      const dst = this.core.alloc(capacity * 16);
      const meta = this.core.alloc(capacity * 4);
      const out = this.core.alloc(capacity);
      if (!src || !dst || !meta || !out) throw new RangeError(`decideParallel: no memory for ${n} flows`);
      this.staging = { src, dst, meta, out, capacity };
    }
    const at = this.staging;
    const buffer = this.core.memory.buffer;
    new Uint32Array(buffer, at.src, n * WORDS_PER_ADDRESS).set(batch.src.subarray(0, n * WORDS_PER_ADDRESS));
    new Uint32Array(buffer, at.dst, n * WORDS_PER_ADDRESS).set(batch.dst.subarray(0, n * WORDS_PER_ADDRESS));
    new Uint32Array(buffer, at.meta, n).set(batch.meta.subarray(0, n));
    return at;
  }

  async decide(batch: FlowBatch, out: Uint8Array, threads: number): Promise<Uint8Array> {
    // engine.apply changed the tables since the last batch: load them first (no job is running).
    if (this.engine.version !== this.version) {
      this.tables = this.load(this.engine.bundle());
      this.version = this.engine.version;
    }
    const n = batch.length;
    const at = this.place(batch);
    // More than one grain: wake the workers. Otherwise they would only find nothing left.
    const helpers = n > GRAIN ? threads - 1 : 0;
    this.ensureWorkers(helpers);
    Atomics.store(this.next, 0, 0);
    const jobs = this.workers.slice(0, helpers).map((w) => {
      const id = this.nextId++;
      return new Promise<void>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.ref(); // busy workers keep the process alive until they answer
        w.postMessage({ id, next: this.next.buffer, length: n, src: at.src, dst: at.dst, meta: at.meta, out: at.out, tables: this.tables });
      }).finally(() => w.unref());
    });
    // This thread takes grains too, while the workers run.
    try {
      for (let i = Atomics.add(this.next, 0, GRAIN); i < n; i = Atomics.add(this.next, 0, GRAIN)) {
        const code = this.core.decideBatch(Math.min(GRAIN, n - i), at.src + i * 16, at.dst + i * 16, at.meta + i * 4, at.out + i);
        if (code !== 0) throw new Error(`decideParallel: core error ${code}`);
      }
    } catch (e) {
      // Workers still running must not read flows or write verdicts after we return.
      Atomics.store(this.next, 0, n);
      await Promise.allSettled(jobs);
      throw e;
    }
    await Promise.all(jobs);
    out.set(new Uint8Array(this.core.memory.buffer, at.out, n));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

const pools = new WeakMap<Engine, Pool>();

function poolFor(engine: Engine): Pool {
  let pool = pools.get(engine);
  if (!pool) {
    pool = new Pool(engine);
    pools.set(engine, pool);
  }
  return pool;
}

const backend: ParallelBackend = {
  decide: (engine, batch, out, threads) => poolFor(engine).decide(batch, out, threads),
  sharedCore: (engine) => poolFor(engine).core,
  async close(engine) {
    await pools.get(engine)?.close();
  },
  defaultThreads: () => availableParallelism(),
};

setParallelBackend(backend);

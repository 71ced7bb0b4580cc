/**
 * All cores (Node): `engine.decideParallel(batch, { threads })` spreads a batch over the
 * calling thread and threads - 1 worker_threads. Every worker instantiates the one compiled
 * WebAssembly.Module (no compile per worker, no compiling of the cluster) with the engine's
 * bundle, once; a call shares the flows and the verdicts through SharedArrayBuffers and gives
 * each thread one contiguous range, so verdicts come back in input order, identical to
 * decideBatch.
 *
 * The worker is a plain script (eval'd), so it runs the same from dist/, tsx or vitest.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { FlowBatch, WORDS_PER_ADDRESS } from "./batch.js";
import { coreModuleSync } from "./core.js";
import { CHUNK, type Engine, type ParallelBackend, setParallelBackend } from "./engine.js";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, bundle, chunk } = workerData;
const core = new WebAssembly.Instance(module, {}).exports;
const at = core.alloc(bundle.byteLength);
new Uint8Array(core.memory.buffer, at, bundle.byteLength).set(bundle);
const loaded = core.loadBundle(at, bundle.byteLength);
const src = core.alloc(chunk * 16), dst = core.alloc(chunk * 16), meta = core.alloc(chunk * 4), out = core.alloc(chunk);
parentPort.on("message", (job) => {
  if (loaded !== 0) return parentPort.postMessage({ id: job.id, error: "bundle refused: code " + loaded });
  const S = new Uint32Array(job.src), D = new Uint32Array(job.dst), M = new Uint32Array(job.meta), O = new Uint8Array(job.out);
  const mem = core.memory.buffer;
  const s = new Uint32Array(mem, src, chunk * 4), d = new Uint32Array(mem, dst, chunk * 4);
  const m = new Uint32Array(mem, meta, chunk), o = new Uint8Array(mem, out, chunk);
  for (let i = job.start; i < job.end; i += chunk) {
    const n = Math.min(chunk, job.end - i);
    s.set(S.subarray(i * 4, (i + n) * 4));
    d.set(D.subarray(i * 4, (i + n) * 4));
    m.set(M.subarray(i, i + n));
    const code = core.decideBatch(n, src, dst, meta, out);
    if (code !== 0) return parentPort.postMessage({ id: job.id, error: "core error " + code });
    O.set(n === chunk ? o : o.subarray(0, n), i);
  }
  parentPort.postMessage({ id: job.id });
});
`;

interface Shared {
  src: Uint32Array;
  dst: Uint32Array;
  meta: Uint32Array;
  out: Uint8Array;
}

class Pool {
  private readonly workers: Worker[];
  private shared?: Shared;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  /** The calling thread decides one share itself: threads - 1 workers. */
  constructor(private readonly engine: Engine, readonly threads: number) {
    const workerData = { module: coreModuleSync(), bundle: engine.bundle(), chunk: CHUNK };
    this.workers = Array.from({ length: threads - 1 }, () => {
      const w = new Worker(WORKER, { eval: true, workerData });
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
      return w;
    });
  }

  /** Flows in shared memory: the batch's own arrays if they are shared, else a copy. */
  private share(batch: FlowBatch): Shared {
    const n = batch.length;
    if (batch.src.buffer instanceof SharedArrayBuffer && batch.dst.buffer instanceof SharedArrayBuffer && batch.meta.buffer instanceof SharedArrayBuffer) {
      return { src: batch.src, dst: batch.dst, meta: batch.meta, out: this.output(n) };
    }
    if (!this.shared || this.shared.meta.length < n) {
      const cap = Math.max(n, CHUNK);
      this.shared = {
        src: new Uint32Array(new SharedArrayBuffer(cap * WORDS_PER_ADDRESS * 4)),
        dst: new Uint32Array(new SharedArrayBuffer(cap * WORDS_PER_ADDRESS * 4)),
        meta: new Uint32Array(new SharedArrayBuffer(cap * 4)),
        out: new Uint8Array(new SharedArrayBuffer(cap)),
      };
    }
    this.shared.src.set(batch.src.subarray(0, n * WORDS_PER_ADDRESS));
    this.shared.dst.set(batch.dst.subarray(0, n * WORDS_PER_ADDRESS));
    this.shared.meta.set(batch.meta.subarray(0, n));
    return this.shared;
  }

  private outShared?: Uint8Array;

  private output(n: number): Uint8Array {
    if (!this.outShared || this.outShared.length < n) this.outShared = new Uint8Array(new SharedArrayBuffer(Math.max(n, CHUNK)));
    return this.outShared;
  }

  async decide(batch: FlowBatch, out: Uint8Array): Promise<Uint8Array> {
    const n = batch.length;
    const s = this.share(batch);
    const per = Math.ceil(n / this.threads);
    const jobs = this.workers.map((w, k) => {
      const start = Math.min(n, k * per);
      const end = Math.min(n, start + per);
      if (start === end) return Promise.resolve();
      const id = this.nextId++;
      return new Promise<void>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.ref(); // busy workers keep the process alive until they answer
        w.postMessage({ id, src: s.src.buffer, dst: s.dst.buffer, meta: s.meta.buffer, out: s.out.buffer, start, end });
      }).finally(() => w.unref());
    });
    // The last share is this thread's, decided while the workers run.
    const mine = Math.min(n, (this.threads - 1) * per);
    if (mine < n) {
      const view = new FlowBatch(n - mine, () => ({
        src: s.src.subarray(mine * WORDS_PER_ADDRESS, n * WORDS_PER_ADDRESS),
        dst: s.dst.subarray(mine * WORDS_PER_ADDRESS, n * WORDS_PER_ADDRESS),
        meta: s.meta.subarray(mine, n),
      }));
      view.length = n - mine;
      this.engine.decideBatch(view, out.subarray(mine, n));
    }
    await Promise.all(jobs);
    out.set(s.out.subarray(0, mine));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const pools = new WeakMap<Engine, Pool>();

const backend: ParallelBackend = {
  async decide(engine, batch, out, threads) {
    let pool = pools.get(engine);
    if (!pool || pool.threads !== threads) {
      await pool?.close();
      pool = new Pool(engine, threads);
      pools.set(engine, pool);
    }
    return pool.decide(batch, out);
  },
  async close(engine) {
    await pools.get(engine)?.close();
    pools.delete(engine);
  },
  defaultThreads: () => availableParallelism(),
};

setParallelBackend(backend);

/** A copy of a batch in shared memory (for callers who will decide it in parallel many times). */
export function sharedCopy(batch: FlowBatch): FlowBatch {
  const n = batch.length;
  const shared = sharedBatch(n);
  shared.src.set(batch.src.subarray(0, n * WORDS_PER_ADDRESS));
  shared.dst.set(batch.dst.subarray(0, n * WORDS_PER_ADDRESS));
  shared.meta.set(batch.meta.subarray(0, n));
  shared.length = n;
  return shared;
}

/** A FlowBatch in shared memory: decideParallel hands it to the workers without a copy. */
export function sharedBatch(capacity: number): FlowBatch {
  return new FlowBatch(capacity, () => ({
    src: new Uint32Array(new SharedArrayBuffer(capacity * WORDS_PER_ADDRESS * 4)),
    dst: new Uint32Array(new SharedArrayBuffer(capacity * WORDS_PER_ADDRESS * 4)),
    meta: new Uint32Array(new SharedArrayBuffer(capacity * 4)),
  }));
}

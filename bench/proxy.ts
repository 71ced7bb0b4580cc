/**
 * `npm run bench:proxy`: what enforcing policy adds to a TCP connection's setup. Two copies of
 * examples/loopback-proxy on the shop cluster, one deciding every connection with the engine
 * and one piping everything (`--no-policy`), in front of the same echo servers; connections
 * alternate between them, each timed from connect() to the server's greeting. Reports p50 and
 * p99 of both and the difference. `--connections N` (default 2000), `--json`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { platform } from "./measure.js";

const { values } = parseArgs({ options: { connections: { type: "string", default: "2000" }, json: { type: "boolean", default: false } } });
const count = Number(values.connections);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PROXY = `${ROOT}examples/loopback-proxy/proxy.mjs`;
const SHOP = `${ROOT}examples/shop`;
// Port ranges that cannot meet (every shop port is below 10,000): fronts at +20,000 and +30,000,
// the server process's unused fronts at +40,000, the echo servers at +50,000.
const BACKEND = 50000;
const modes = { policy: 20000, plain: 30000 } as const;
const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill()));

function start(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [PROXY, "-f", SHOP, "--backend-offset", String(BACKEND), ...args], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(p);
    let out = "";
    p.stdout!.on("data", (d) => {
      out += d;
      if (/proxying/.test(out)) resolve(p);
    });
    p.on("exit", (code) => reject(new Error(`bench:proxy: a proxy exited with ${code}`)));
  });
}

/** One connection from the api pod to the database pod: ms from connect() to the greeting. */
function connectOnce(offset: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const socket = net.connect({ host: "127.244.2.30", port: 5432 + offset, localAddress: "127.244.1.20" });
    socket.once("data", () => {
      const ms = performance.now() - t;
      socket.destroy();
      resolve(ms);
    });
    socket.on("error", reject);
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const servers = await start(["--serve", "--quiet", "--no-policy", "--offset", "40000"]); // the echo servers (its own proxy unused)
const policy = await start(["--quiet", "--offset", String(modes.policy)]);
const plain = await start(["--quiet", "--no-policy", "--offset", String(modes.plain)]);
process.stderr.write(`bench:proxy: ${count} connections each way, alternating…\n`);
const times = { policy: [] as number[], plain: [] as number[] };
for (let i = 0; i < 200; i++) await connectOnce(i % 2 ? modes.policy : modes.plain); // warm up
for (let i = 0; i < count; i++) {
  times.policy.push(await connectOnce(modes.policy));
  times.plain.push(await connectOnce(modes.plain));
}
for (const p of [servers, policy, plain]) p.kill();

const fig = (xs: number[]) => ({ p50: quantile(xs, 0.5) * 1000, p99: quantile(xs, 0.99) * 1000 });
const result = { policy: fig(times.policy), plain: fig(times.plain) };
if (values.json) process.stdout.write(`${JSON.stringify({ platform: platform(), connections: count, ...result })}\n`);
else {
  process.stdout.write(`${platform()}\n\n| connection setup (api → database, ${count} each, alternating) | p50 | p99 |\n| --- | ---: | ---: |\n`);
  process.stdout.write(`| plain proxy | ${result.plain.p50.toFixed(0)} µs | ${result.plain.p99.toFixed(0)} µs |\n`);
  process.stdout.write(`| policy-enforcing proxy | ${result.policy.p50.toFixed(0)} µs | ${result.policy.p99.toFixed(0)} µs |\n`);
  process.stdout.write(`| added by the policy decision | ${(result.policy.p50 - result.plain.p50).toFixed(0)} µs | ${(result.policy.p99 - result.plain.p99).toFixed(0)} µs |\n`);
}

#!/usr/bin/env node
// A TCP proxy that enforces a cluster's network policies on real connections, on one machine.
//
// Every pod with an IPv4 address a.b.c.d gets the loopback address 127.b.c.d (Linux routes all
// of 127.0.0.0/8 to the loopback interface). For each TCP container port P of such a pod the
// proxy listens on 127.b.c.d:(P + --offset); behind it, the pod's "server" (with --serve, an
// echo server started here) listens on 127.b.c.d:(P + --backend-offset). A client that binds
// its socket to a pod's loopback address and connects to another pod's proxy port is that pod
// connecting to the other on port P: the proxy decides (source pod address, destination pod
// address, TCP, P) with the netpol-wasm engine and either pipes bytes to the backend or resets
// the connection, logging the verdict and why. A source address that is no pod's (127.0.0.1)
// is outside the cluster.
//
// When a manifest file changes, the proxy reads it again and hands the new state to the engine
// (engine.replace: only what changed is compiled again, the tables switch at once): connections
// already piping are not touched, new ones are decided by the new policies.
//
//   node examples/loopback-proxy/proxy.mjs -f examples/shop [--serve] [--demo] [--offset N]
//        [--backend-offset N] [--no-policy] [--quiet]
//
// --demo opens a few connections (allowed and denied), prints what happened and exits.
// --no-policy pipes every connection (the plain proxy the benchmark compares against).
import { watch } from "node:fs";
import net from "node:net";
import { parseArgs } from "node:util";
import { compile, formatDiagnostic, loadPaths } from "../../dist/index.js";

const { values } = parseArgs({
  options: {
    file: { type: "string", short: "f", multiple: true, default: [] },
    offset: { type: "string", default: "20000" },
    "backend-offset": { type: "string", default: "30000" },
    serve: { type: "boolean", default: false },
    demo: { type: "boolean", default: false },
    "no-policy": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help || values.file.length === 0) {
  process.stdout.write(`usage: proxy.mjs -f PATH... [--serve] [--demo] [--offset N] [--backend-offset N] [--no-policy] [--quiet]

Enforces the manifests' network policies on TCP connections between loopback addresses:
pod a.b.c.d is 127.b.c.d; its container port P is proxied on 127.b.c.d:P+offset (default 20000)
to its server on 127.b.c.d:P+backend-offset (default 30000; --serve starts echo servers there).
Reloads the policies when a manifest file changes. --demo connects a few pods and exits.
`);
  process.exit(values.help ? 0 : 2);
}

const offset = Number(values.offset);
const backendOffset = Number(values["backend-offset"]);
const say = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
/** One line per connection, unless --quiet. */
const log = (line) => values.quiet || say(line);

/** 10.244.1.20 → 127.244.1.20, and back; undefined for addresses that have none. */
const loopbackOf = (ip) => (ip.family === 4 ? `127.${ip.text.split(".").slice(1).join(".")}` : undefined);

/** The cluster, its engine and its pods by loopback address: replaced whole on reload, so a decision sees one state. */
let state;

/** Reads the manifests; the first time compiles them, later hands the new state to the same engine. */
async function load() {
  const { cluster, warnings } = await loadPaths(values.file);
  for (const w of warnings) if (w.severity === "warning") process.stderr.write(`${formatDiagnostic(w)}\n`);
  let engine = state?.engine;
  if (engine) {
    const r = engine.replace(cluster);
    log(`engine: ${r.changed} objects changed, ${r.update === "none" ? "nothing to do" : `${r.update} in ${r.ms.toFixed(1)} ms`}`);
  } else engine = await compile(cluster);
  const podOf = new Map(); // loopback address → { pod, ip }
  for (const pod of cluster.pods) {
    for (const ip of pod.ips) {
      const loop = loopbackOf(ip);
      if (loop) podOf.set(loop, { pod, ip });
    }
  }
  return { cluster, engine, podOf };
}

function describe(reason) {
  switch (reason.kind) {
    case "allowed":
      return `${reason.names?.[0] ?? reason.policy}[${reason.rule}]`;
    case "denied":
      return `isolated by ${(reason.names ?? reason.policies).join(", ")}`;
    case "tier":
      return `${reason.tier === "admin" ? "ANP" : "BANP"} ${reason.policy}[${reason.rule}] ${reason.action}`;
    case "self":
      return "self";
    default:
      return "no policy";
  }
}

const name = (p) => (p ? `${p.pod.namespace}/${p.pod.name}` : "outside");

/** One front listener per (pod address, TCP port): connections to it are decided, then piped or reset. */
const fronts = new Map();
function listenFront(address, port) {
  const key = `${address}:${port}`;
  if (fronts.has(key) || port + offset > 65535 || port + backendOffset > 65535) return undefined;
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    const { engine, podOf } = state; // the state this connection is decided in
    const src = podOf.get(client.remoteAddress);
    const dst = podOf.get(address);
    const from = src ? src.ip.text : client.remoteAddress;
    if (!values["no-policy"]) {
      const why = engine.explain(from, dst.ip.text, "TCP", port);
      const line = `${why.verdict.toUpperCase()} ${client.remoteAddress} (${name(src)}) -> ${address}:${port} (${name(dst)}): egress ${describe(why.egress)}; ingress ${describe(why.ingress)}`;
      if (why.verdict !== "allow") {
        log(line);
        client.resetAndDestroy();
        return;
      }
      log(line);
    }
    const upstream = net.connect({ host: address, port: port + backendOffset });
    upstream.on("connect", () => {
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", close);
    client.on("error", close);
    client.on("close", () => upstream.end());
    upstream.on("close", () => client.end());
  });
  fronts.set(key, server);
  return listening(server, address, port + offset);
}

/** Resolves once the server listens (or could not: said on stderr). */
function listening(server, address, port) {
  return new Promise((resolve) => {
    server.once("listening", resolve);
    server.once("error", (e) => {
      process.stderr.write(`proxy: cannot listen on ${address}:${port}: ${e.message}\n`);
      resolve();
    });
    server.listen(port, address);
  });
}

/** --serve: each pod's server, greeting with its name and echoing what it reads. */
const backs = new Map();
function serve(address, port, pod) {
  const key = `${address}:${port}`;
  if (backs.has(key) || port + backendOffset > 65535) return undefined;
  const server = net.createServer((socket) => {
    socket.write(`hello from ${pod.namespace}/${pod.name}:${port}\n`);
    socket.pipe(socket);
    socket.on("error", () => socket.destroy());
  });
  backs.set(key, server);
  return listening(server, address, port + backendOffset);
}

/** Listeners for every TCP port of every pod address (new ones after a reload), all listening when it resolves. */
async function listenAll() {
  const started = [];
  for (const [address, { pod }] of state.podOf) {
    for (const p of pod.ports) {
      if (p.protocol !== "TCP") continue;
      started.push(listenFront(address, p.containerPort));
      if (values.serve) started.push(serve(address, p.containerPort, pod));
    }
  }
  await Promise.all(started);
}

state = await load();
await listenAll();
say(`proxying ${fronts.size} pod ports of ${state.podOf.size} pod addresses (port + ${offset}${values["no-policy"] ? ", no policy" : ""})`);

// Reload on change: debounced, and a bad edit keeps the running policies.
let timer;
for (const path of values.file) {
  watch(path, { recursive: false }, () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        state = await load();
        await listenAll();
        say(`reloaded ${values.file.join(", ")}: ${state.cluster.policies.length} network policies, ${state.cluster.pods.length} pods`);
      } catch (e) {
        process.stderr.write(`proxy: reload failed, keeping the running policies: ${e.message}\n`);
      }
    }, 100);
  });
}

if (values.demo) {
  await new Promise((r) => setTimeout(r, 200)); // listeners up
  const pods = [...state.podOf.entries()];
  const probe = (fromAddress, toAddress, port) =>
    new Promise((resolve) => {
      const socket = net.connect({ host: toAddress, port: port + offset, localAddress: fromAddress });
      let got = "";
      socket.on("data", (d) => {
        got += d;
        socket.end();
      });
      socket.on("error", () => resolve("reset"));
      socket.on("close", () => resolve(got ? got.trim() : "reset"));
    });
  const find = (n) => pods.find(([, p]) => p.pod.name.startsWith(n));
  const trials = [["frontend", "api", 8000], ["api", "database", 5432], ["frontend", "database", 5432], ["prometheus", "api", 9091]];
  for (const [a, b, port] of trials) {
    const [from, to] = [find(a), find(b)];
    if (!from || !to) continue;
    const result = await probe(from[0], to[0], port);
    process.stdout.write(`demo: ${name(from[1])} -> ${name(to[1])}:${port}: ${result}\n`);
  }
  process.exit(0);
}

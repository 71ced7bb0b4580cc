/** benchmark.js, the way these benches use it: fixtures in module scope, no setup functions. */
import Benchmark from "benchmark";

export interface Measured {
  readonly name: string;
  /** Operations per second and the relative margin of error (%). */
  readonly hz: number;
  readonly rme: number;
  readonly samples: number;
}

export function measure(cases: Readonly<Record<string, () => void>>, maxTime: number): Map<string, Measured> {
  const out = new Map<string, Measured>();
  const suite = new Benchmark.Suite();
  for (const [name, fn] of Object.entries(cases)) suite.add(name, fn, { maxTime, minSamples: 5 });
  suite.on("cycle", (event: Benchmark.Event) => {
    const b = event.target as unknown as Benchmark & { name: string };
    out.set(b.name, { name: b.name, hz: b.hz, rme: b.stats.rme, samples: b.stats.sample.length });
  });
  suite.run({ async: false });
  return out;
}

export function platform(): string {
  return Benchmark.platform.description ?? "unknown platform";
}

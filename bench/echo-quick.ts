// Quick echo benchmark: a Server in a child process, a Channel here; calls/s and
// p50/p99 latency at 1, 64 and 256 calls in flight, for each codec.
//
//   npx tsx bench/echo-quick.ts [secondsPerCase=2]
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Channel, Server, silentLogger } from "@rpcgen/runtime";
import { benchEcho, BenchService } from "./echo-descriptor.js";

const inFlightLevels = [1, 64, 256];
const codecs = ["binary", "json"] as const;
const payload = "hello, rpcgen: a short echo payload";

if (process.argv.includes("--server")) {
  await serve();
} else {
  await runClient(Number(process.argv[2] ?? 2));
}

async function serve(): Promise<void> {
  const server = new Server({
    logger: silentLogger,
    maxInFlightPerConnection: 10_000,
  });
  server.addService(BenchService, { echo: (text: string) => text });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  process.send?.({ port });
  process.on("disconnect", () => void server.close({ graceMs: 0 }).then(() => process.exit(0)));
}

async function runClient(seconds: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--server"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) =>
    child.once("message", (m) => resolve((m as { port: number }).port)),
  );
  console.log(`echo benchmark, ${seconds}s per case, server pid ${child.pid}`);
  console.log("codec   in-flight   calls/s    p50 ms   p99 ms");
  try {
    for (const codec of codecs) {
      for (const inFlight of inFlightLevels) {
        const channel = new Channel({
          address: `127.0.0.1:${port}`,
          codec,
          logger: silentLogger,
        });
        await measure(channel, 1, 0.2); // warm-up: JIT, connection
        const result = await measure(channel, inFlight, seconds);
        await channel.close();
        console.log(
          `${codec.padEnd(8)}${String(inFlight).padStart(9)}${Math.round(result.rate).toString().padStart(10)}` +
            `${result.p50.toFixed(3).padStart(10)}${result.p99.toFixed(3).padStart(9)}`,
        );
      }
    }
  } finally {
    child.disconnect();
  }
}

async function measure(
  channel: Channel,
  inFlight: number,
  seconds: number,
): Promise<{ rate: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  const endAt = performance.now() + seconds * 1000;
  let calls = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < endAt) {
      const started = performance.now();
      await channel.invoke(benchEcho, [payload]);
      const took = performance.now() - started;
      // Bounded sample: at most 200k latencies are kept.
      if (latencies.length < 200_000) latencies.push(took);
      calls++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rate: calls / elapsed, p50: at(0.5), p99: at(0.99) };
}

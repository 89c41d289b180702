/**
 * Profiles rpcgen's hot path: the binary small echo at 256 calls in flight on one
 * connection, with `node --cpu-prof` on both the server and the client process,
 * then prints the top 20 functions by self time of each.
 *   npx tsx --tsconfig bench/tsconfig.run.json bench/profile.ts [--governed] [--in-flight N] [--codec binary|json|resp]
 * --governed calls through a ClusterInvoker instead of a Channel.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CaseSpec } from "./case-spec.js";
import {
  formatSelfTime,
  readCpuProfile,
  topSelfTime,
} from "./cpu-profile-top.js";
import { staleDistWarning } from "./dist-freshness.js";
import { generateStubs } from "./generate-stubs.js";
import { bundlePeerEntries } from "./peer-entry.js";
import { runClient, ServerProcess } from "./peer-process.js";

const profileRoot = fileURLToPath(new URL(".profiles/", import.meta.url));
const serverDir = `${profileRoot}server`;
const clientDir = `${profileRoot}client`;

const argv = process.argv.slice(2);
const inFlightAt = argv.indexOf("--in-flight");
const codecAt = argv.indexOf("--codec");
const spec: CaseSpec = {
  server: { framework: "rpcgen", workers: 0 },
  codec: codecAt === -1 ? "binary" : argv[codecAt + 1]!,
  workload: "echo",
  connections: 1,
  concurrency: inFlightAt === -1 ? 256 : Number(argv[inFlightAt + 1]),
  calls: 2_000_000,
  repSeconds: 3,
  warmupCalls: 20_000,
  repetitions: 2,
  governed: argv.includes("--governed"),
};

const stale = staleDistWarning();
if (stale !== undefined) console.error(`warning: ${stale}`);
generateStubs();
await bundlePeerEntries(["server-main.ts", "client-main.ts"]);
for (const dir of [serverDir, clientDir]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
const server = await ServerProcess.start(
  spec.server,
  { serverFlags: ["--cpu-prof", `--cpu-prof-dir=${serverDir}`] },
  20_000,
);
// Samples before the first measured repetition (start-up, module loading, warm-up) are left out.
let measuredFromMicros: number | undefined;
const outcome = await runClient(
  spec,
  server,
  { clientFlags: ["--cpu-prof", `--cpu-prof-dir=${clientDir}`] },
  60_000,
  () => {
    measuredFromMicros ??= Number(process.hrtime.bigint() / 1000n);
  },
);
// A graceful stop lets the server write its profile on exit.
await server.stop(10_000);
if (outcome.status !== "ok")
  throw new Error(`profiled case ${outcome.status}: ${outcome.message}`);
const rate = outcome.samples
  .map((s) => Math.round(s.calls / s.seconds))
  .join(", ");
const via = spec.governed === true ? "ClusterInvoker" : "Channel";
console.log(
  `${spec.codec} echo, ${spec.concurrency} in flight, 1 connection, ${via}: ${rate} calls/s while profiled\n`,
);
for (const [side, dir] of [
  ["server", serverDir],
  ["client", clientDir],
] as const) {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined)
    throw new Error(`no ${side} profile was written to ${dir}`);
  console.log(
    `== ${side}: top 20 by self time, % of busy time while measured (${dir}/${file}) ==`,
  );
  console.log(
    formatSelfTime(
      topSelfTime(readCpuProfile(`${dir}/${file}`), 20, measuredFromMicros),
    ),
  );
  console.log("");
}

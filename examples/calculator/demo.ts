/**
 * `npm run demo`: the whole round trip on one machine. Generates the stubs from
 * calculator.thrift, starts the calculator server in its own process, makes the
 * calls over every protocol its one port speaks (rpcgen frames with protobuf and
 * JSON bodies, RESP, Apache Thrift binary and compact, gRPC, Connect and
 * gRPC-Web over HTTP), calls it once more with redis-cli when that is
 * installed, then shuts the server down gracefully.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");

function step(text: string): void {
  console.log(`\n== ${text}`);
}

step("generating stubs: rpcgen examples/calculator/calculator.thrift -o examples/calculator/gen");
const generated = spawnSync(
  process.execPath,
  [path.join(repoRoot, "bin/rpcgen"), path.join(here, "calculator.thrift"), "-o", path.join(here, "gen")],
  { stdio: "inherit" },
);
if (generated.status !== 0) {
  console.error("demo: stub generation failed");
  process.exit(1);
}

// Imported only now, after the stubs it uses are generated.
const { Channel, GrpcChannel, RespChannel, ThriftChannel } = await import("@rpcgen/runtime");
const { runCalculatorCalls } = await import("./client.js");

step("starting the calculator server (port 0: any free port)");
const server = spawn(process.execPath, ["--import", "tsx", path.join(here, "server.ts"), "--port", "0"], {
  cwd: repoRoot,
  stdio: ["ignore", "pipe", "inherit"],
});
const lines = createInterface({ input: server.stdout! });
const port = await new Promise<number>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("the server did not start within 20 s")), 20_000);
  server.once("exit", (code) => reject(new Error(`the server exited early with code ${code}`)));
  lines.on("line", (line) => {
    console.log(`[server] ${line}`);
    const match = /^listening on [\d.]+:(\d+)$/.exec(line);
    if (match) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  });
});
const address = `127.0.0.1:${port}`;

let failed = false;
try {
  for (const codec of ["binary", "json"] as const) {
    step(`calls over binary frames with the ${codec} codec`);
    const channel = new Channel({ address, codec });
    try {
      await runCalculatorCalls(channel, codec);
    } finally {
      await channel.close();
    }
  }

  step("calls over RESP, the Redis protocol");
  const resp = new RespChannel({ host: "127.0.0.1", port });
  try {
    await runCalculatorCalls(resp, "resp");
  } finally {
    await resp.close();
  }

  for (const [transport, protocol] of [
    ["framed", "binary"],
    ["buffered", "compact"],
  ] as const) {
    step(`calls over Apache Thrift (${transport} transport, ${protocol} protocol), as any Thrift client makes them`);
    const thrift = new ThriftChannel({ address, transport, protocol });
    try {
      await runCalculatorCalls(thrift, `thrift ${protocol}`);
    } finally {
      await thrift.close();
    }
  }

  step("calls over gRPC (HTTP/2), as any gRPC client makes them with calculator.proto");
  const grpc = new GrpcChannel({ address });
  try {
    await runCalculatorCalls(grpc, "grpc");
  } finally {
    await grpc.close();
  }

  step(`Connect over HTTP/1.1: curl -X POST -H 'Content-Type: application/json' -d '{"a":1,"b":2}' http://${address}/calculator.Calculator/add`);
  const response = await fetch(`http://${address}/calculator.Calculator/add`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ a: 1, b: 2 }),
  });
  const body = await response.text();
  console.log(`[connect] HTTP ${response.status} ${body}`);
  if (response.status !== 200 || (JSON.parse(body) as { success?: number }).success !== 3) {
    throw new Error(`Connect add(1, 2) answered HTTP ${response.status} ${body}`);
  }

  // gRPC-Web's text form: base64 of 5-byte-framed messages (flag, then a 4-byte length).
  // The request is one message, Calculator_add_args {a: 1, b: 2} (08 01 10 02).
  step(`gRPC-Web: curl -H 'Content-Type: application/grpc-web-text' -d AAAAAAQIARAC http://${address}/calculator.Calculator/add`);
  const web = await fetch(`http://${address}/calculator.Calculator/add`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web-text" },
    body: "AAAAAAQIARAC",
  });
  const frames = Buffer.from(await web.text(), "base64");
  const messageEnd = 5 + frames.readUInt32BE(1);
  const message = frames.subarray(5, messageEnd);
  const trailers = frames.subarray(messageEnd + 5).toString("latin1").trim();
  console.log(`[grpc-web] HTTP ${web.status}, message ${message.toString("hex")}, trailers "${trailers}"`);
  // Calculator_add_response {success: 3}: field 100000 (tag 80 ea 30), varint 3.
  if (web.status !== 200 || frames[0] !== 0 || message.toString("hex") !== "80ea3003" || frames[messageEnd] !== 0x80 || trailers !== "grpc-status: 0") {
    throw new Error(`gRPC-Web add(1, 2) answered HTTP ${web.status} ${frames.toString("hex")}`);
  }

  const redisCli = spawnSync("redis-cli", ["-p", String(port), "CALL", "Calculator.add", "1", "2"], {
    encoding: "utf8",
  });
  if (redisCli.error === undefined) {
    step(`redis-cli -p ${port} CALL Calculator.add 1 2`);
    process.stdout.write(redisCli.stdout);
    if (redisCli.stdout.trim() !== "3") throw new Error(`redis-cli printed "${redisCli.stdout.trim()}", not 3`);
  } else {
    step("redis-cli is not installed: skipping the redis-cli call (apt-get install redis-tools)");
  }
} catch (error) {
  failed = true;
  console.error(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  step("stopping the server with SIGTERM (graceful shutdown)");
  server.kill("SIGTERM");
  const [code] = await once(server, "exit");
  console.log(`server exited with code ${code}`);
  if (code !== 0) failed = true;
}

console.log(failed ? "\ndemo FAILED" : "\ndemo finished: every call answered as expected");
process.exit(failed ? 1 : 0);

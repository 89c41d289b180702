import { Channel, DirectRegistry, RespChannel, channelTransportFactory, createClusterInvoker, observeClient, silentLogger, withInterceptors, type CallOptions, type Invoker, type MethodDescriptor } from "@rpcgen/runtime";
import { EchoClient, EchoService } from "../gen/rpcgen/echo.js";
import type { CaseSpec } from "../case-spec.js";
import { oneMiB, smallCount, smallText, structItems } from "../payloads.js";
import { clientObservability } from "../observe-mode.js";
import { roundRobin, type BenchClient } from "./bench-client.js";
import { benchTlsFiles } from "../tls-mode.js";
import { startHeavyLoad } from "./heavy-load.js";

const maxFrameBytes = 8 * 1024 * 1024;
const timeoutMs = 60_000;

/** rpcgen through its generated EchoClient, over a Channel, RespChannels or a ClusterInvoker. */
export async function openRpcgenClient(
  spec: CaseSpec,
  port: number,
): Promise<BenchClient> {
  const address = `127.0.0.1:${port}`;
  const invoker = openInvoker(spec, address, port);
  const observe = spec.server.observe;
  const client = new EchoClient(observe === undefined ? invoker.invoker : withInterceptors(invoker.invoker, observeClient(clientObservability(observe))));
  const options: CallOptions = { timeoutMs };
  const call = workloadCall(spec, client, options);
  const heavyLoad = spec.heavyBeside === true ? startHeavyLoad(address) : undefined;
  return {
    call,
    park: (id) => client.park(id, options),
    close: async () => {
      await heavyLoad?.stop();
      await invoker.close();
    },
  };
}

function openInvoker(
  spec: CaseSpec,
  address: string,
  port: number,
): { invoker: Invoker; close: () => Promise<void> } {
  if (spec.codec === "resp") {
    const channels: RespChannel[] = [];
    const pick = roundRobin(spec.connections, () => {
      const channel = new RespChannel({
        port,
        host: "127.0.0.1",
        maxReplyBytes: maxFrameBytes,
      });
      channels.push(channel);
      return channel;
    });
    const invoker: Invoker = {
      invoke: (
        method: MethodDescriptor,
        args: readonly unknown[],
        options?: CallOptions,
      ) => pick().invoke(method, args, options),
    };
    return {
      invoker,
      close: async () =>
        void (await Promise.all(channels.map((c) => c.close()))),
    };
  }
  const codec = spec.codec === "json" ? "json" : "binary";
  const settings = {
    // The TLS case: TLS to the server, trusting the run's throw-away CA (bench/tls-mode.ts).
    ...(spec.server.tls === true ? { tls: { caFile: benchTlsFiles().ca } } : {}),
    codec,
    poolSize: spec.connections,
    logger: silentLogger,
    maxFrameBytes,
    defaultTimeoutMs: timeoutMs,
  } as const;
  if (spec.governed === true) {
    const cluster = createClusterInvoker({
      service: EchoService,
      registry: new DirectRegistry(
        [{ service: EchoService.name, version: "1.0.0", address }],
        { logger: silentLogger },
      ),
      transportFactory: channelTransportFactory(settings),
      logger: silentLogger,
      timeoutMs,
    });
    return { invoker: cluster, close: () => cluster.close() };
  }
  const channel = new Channel({ address, ...settings });
  return { invoker: channel, close: () => channel.close() };
}

function workloadCall(
  spec: CaseSpec,
  client: EchoClient,
  options: CallOptions,
): () => Promise<unknown> {
  switch (spec.workload) {
    case "echo":
      return () => client.echo(smallText, smallCount, options);
    case "1mib": {
      const data = oneMiB();
      return () => client.echoBytes(data, options);
    }
    case "structs": {
      const items = structItems();
      return () => client.echoItems(items, options);
    }
  }
}

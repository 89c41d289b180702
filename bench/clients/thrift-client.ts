import thrift from "thrift";
import type { CaseSpec } from "../case-spec.js";
import { oneMiB, smallCount, smallText, structItems } from "../payloads.js";
import { loadThriftGenerated } from "../thrift-gen.js";
import { roundRobin, type BenchClient } from "./bench-client.js";

interface EchoThriftClient {
  echo(text: string, count: number): Promise<unknown>;
  echoBytes(data: Buffer): Promise<unknown>;
  echoItems(items: unknown[]): Promise<unknown>;
  park(id: number): Promise<unknown>;
}

/** Apache Thrift's generated client over framed transport and binary protocol. */
export async function openThriftClient(
  spec: CaseSpec,
  port: number,
): Promise<BenchClient> {
  const { Echo, types } = loadThriftGenerated();
  const connections: thrift.Connection[] = [];
  await Promise.all(
    Array.from({ length: spec.connections }, () => {
      const connection = thrift.createConnection("127.0.0.1", port, {
        transport: thrift.TFramedTransport,
        protocol: thrift.TBinaryProtocol,
        max_attempts: 0,
      });
      connections.push(connection);
      return new Promise<void>((resolve, reject) => {
        connection.once("connect", () => resolve());
        connection.once("error", reject);
      });
    }),
  );
  let index = 0;
  const pick = roundRobin(
    spec.connections,
    () =>
      thrift.createClient(
        Echo as never,
        connections[index++]!,
      ) as EchoThriftClient,
  );
  const call = workloadCall(spec, pick, types);
  return {
    call,
    park: (id) => pick().park(id),
    close: async () => connections.forEach((connection) => connection.end()),
  };
}

function workloadCall(
  spec: CaseSpec,
  pick: () => EchoThriftClient,
  types: ReturnType<typeof loadThriftGenerated>["types"],
): () => Promise<unknown> {
  switch (spec.workload) {
    case "echo":
      return () => pick().echo(smallText, smallCount);
    case "1mib": {
      const data = Buffer.from(oneMiB());
      return () => pick().echoBytes(data);
    }
    case "structs": {
      const items = structItems().map(
        (item) =>
          new types.Item({
            ...item,
            counters: Object.fromEntries(item.counters),
            inner: new types.Inner({
              ...item.inner,
              labels: Object.fromEntries(item.inner.labels),
            }),
          }),
      );
      return () => pick().echoItems(items);
    }
  }
}

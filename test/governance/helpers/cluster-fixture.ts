import { Code, createClusterInvoker, RpcError, seededRandom, type ClusterInvoker, type ClusterInvokerOptions } from "@rpcgen/runtime";
import { CaptureLogger } from "./capture-logger.js";
import { MemoryRegistry, provider } from "./memory-registry.js";
import { TransportBook, type Behaviour } from "./scripted-transport.js";
import { storeService } from "./test-service.js";

/** A cluster of scripted providers behind one invoker, closed by `close()`. */
export interface ClusterFixture {
  invoker: ClusterInvoker;
  registry: MemoryRegistry;
  book: TransportBook;
  logger: CaptureLogger;
  close(): Promise<void>;
}

export const unavailable: Behaviour = async () => {
  throw new RpcError(Code.UNAVAILABLE, "connection refused");
};

export const answer =
  (value: unknown): Behaviour =>
  async () =>
    value;

/** Starts an invoker over providers at `addresses`, each answering with `behaviourFor(address)`. */
export async function startCluster(
  addresses: readonly string[],
  behaviourFor: (address: string) => Behaviour,
  options: Partial<ClusterInvokerOptions> = {},
): Promise<ClusterFixture> {
  const registry = new MemoryRegistry();
  registry.setProviders(addresses.map((address) => provider({ address })));
  const book = new TransportBook(behaviourFor);
  const logger = new CaptureLogger();
  const invoker = createClusterInvoker({
    service: storeService(),
    registry,
    transportFactory: book.factory,
    logger,
    random: seededRandom(1),
    backoff: { baseMs: 1, maxMs: 2 },
    ...options,
  });
  await invoker.ready();
  return {
    invoker,
    registry,
    book,
    logger,
    close: async () => {
      await invoker.close();
      await registry.close();
    },
  };
}

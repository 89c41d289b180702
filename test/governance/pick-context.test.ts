import { afterEach, describe, expect, it } from "vitest";
import { createClusterInvoker, type BalancedEndpoint, type ClusterInvoker, type LoadBalancer, type PickContext } from "@rpcgen/runtime";
import { CaptureLogger } from "./helpers/capture-logger.js";
import { answer } from "./helpers/cluster-fixture.js";
import { MemoryRegistry, provider } from "./helpers/memory-registry.js";
import { TransportBook } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const { read } = service.methods as Record<string, (typeof service.methods)[string]>;

/** A balancer that picks the first candidate and keeps what it was shown. */
class RecordingBalancer implements LoadBalancer {
  readonly name = "random";
  readonly seen: Array<{ candidates: readonly BalancedEndpoint[]; context: PickContext }> = [];

  pick<E extends BalancedEndpoint>(candidates: readonly E[], context: PickContext): E {
    this.seen.push({ candidates, context });
    return candidates[0]!;
  }
}

let invoker: ClusterInvoker | undefined;
let registry: MemoryRegistry | undefined;
afterEach(async () => {
  await invoker?.close();
  await registry?.close();
});

describe("what a balancer is shown", () => {
  it("is the same members array, as candidates too, until membership changes", async () => {
    registry = new MemoryRegistry();
    registry.setProviders([provider({ address: "a:1" }), provider({ address: "b:1" })]);
    const balancer = new RecordingBalancer();
    const book = new TransportBook(() => answer("ok"));
    invoker = createClusterInvoker({
      service,
      registry,
      transportFactory: book.factory,
      logger: new CaptureLogger(),
      balancer,
    });
    await invoker.ready();
    await invoker.invoke(read!, ["k"]);
    await invoker.invoke(read!, ["k"]);
    const [first, second] = balancer.seen;
    expect(second!.context).toBe(first!.context);
    expect(first!.candidates).toBe(first!.context.members);
    expect(first!.context.members.map((m) => m.key)).toEqual(["a:1", "b:1"]);

    registry.setProviders([provider({ address: "a:1" }), provider({ address: "c:1" })]);
    await invoker.invoke(read!, ["k"]);
    const third = balancer.seen[2]!;
    expect(third.context.members).not.toBe(first!.context.members);
    expect(third.context.members.map((m) => m.key)).toEqual(["a:1", "c:1"]);
    // The array shown earlier was not changed under the balancer.
    expect(first!.context.members.map((m) => m.key)).toEqual(["a:1", "b:1"]);
  });

  it("is a filtered list of candidates when a member cannot take the call, with the routing key", async () => {
    registry = new MemoryRegistry();
    registry.setProviders([provider({ address: "a:1" }), provider({ address: "b:1" })]);
    const balancer = new RecordingBalancer();
    const book = new TransportBook(() => answer("ok"));
    invoker = createClusterInvoker({
      service,
      registry,
      transportFactory: book.factory,
      logger: new CaptureLogger(),
      balancer,
    });
    await invoker.ready();
    book.get("a:1").emit("goaway");
    await invoker.invoke(read!, ["k"], { routeKey: "user-7" });
    const seen = balancer.seen[0]!;
    expect(seen.candidates.map((c) => c.key)).toEqual(["b:1"]);
    expect(seen.context.members.map((m) => m.key)).toEqual(["a:1", "b:1"]);
    expect(seen.context.routeKey).toBe("user-7");
  });
});

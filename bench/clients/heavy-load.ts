import { Channel, silentLogger } from "@rpcgen/runtime";
import { heavyCallMs, heavyCallsInFlight, HeavyService } from "../heavy-descriptor.js";

/**
 * The background of the offload case: `heavyCallsInFlight` calls of the 50 ms
 * Heavy.hash kept in flight on a connection of their own, from the client's
 * start to its close, while the measured calls are cheap echoes.
 */
export function startHeavyLoad(address: string): { stop(): Promise<void> } {
  const channel = new Channel({ address, logger: silentLogger, defaultTimeoutMs: 60_000 });
  const hash = HeavyService.methods["hash"]!;
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) await channel.invoke(hash, [heavyCallMs]);
  };
  const loops = Array.from({ length: heavyCallsInFlight }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      await channel.close();
    },
  };
}

import { servedServiceName } from "../observability/health/service-names.js";
import type { ConnectionEnvironment } from "../server/server-protocol.js";
import { resp, type RespValue } from "./resp-value.js";

/** Most metadata entries one RPC.METADATA may set, and the longest key or value. */
const maxEntries = 64;
const maxTextBytes = 8192;

/**
 * The RESP commands of docs/OBSERVABILITY.md, per connection:
 * - `RPC.HEALTH [service]` → `+SERVING` or `+NOT_SERVING` (readiness, as `GET /health`);
 * - `RPC.METADATA key value [key value ...]` → `+OK`: metadata for the next
 *   call on this connection only (RESP has no per-call headers), e.g. a W3C
 *   `traceparent`, so that call joins the caller's trace.
 */
export class RespOpsCommands {
  private pending: Readonly<Record<string, string>> | undefined;

  /** Answers RPC.HEALTH and RPC.METADATA (`name` upper case); undefined for any other command. */
  run(name: string, words: readonly Buffer[], env: ConnectionEnvironment): RespValue | undefined {
    if (name === "RPC.HEALTH") {
      if (words.length > 2) return resp.error("ERR wrong number of arguments for 'rpc.health' command");
      const service = words.length === 2 ? words[1]!.toString("utf8") : "";
      if (service !== "" && servedServiceName(env.dispatcher.table, service) === undefined) return resp.error(`ERR unknown service '${service.slice(0, 64)}'`);
      return resp.simple(env.closing ? "NOT_SERVING" : env.observability.health.status(service));
    }
    if (name === "RPC.METADATA") {
      if (words.length < 3 || words.length % 2 === 0) return resp.error("ERR wrong number of arguments for 'rpc.metadata' command");
      if ((words.length - 1) / 2 > maxEntries) return resp.error(`ERR RPC.METADATA takes at most ${maxEntries} entries`);
      const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
      for (let i = 1; i < words.length; i += 2) {
        if (words[i]!.length > maxTextBytes || words[i + 1]!.length > maxTextBytes) return resp.error(`ERR metadata keys and values are at most ${maxTextBytes} bytes`);
        metadata[words[i]!.toString("utf8").toLowerCase()] = words[i + 1]!.toString("utf8");
      }
      this.pending = metadata;
      return resp.ok;
    }
    return undefined;
  }

  /** The metadata set for the next call, once: the call takes it. */
  take(): Readonly<Record<string, string>> | undefined {
    const metadata = this.pending;
    if (metadata !== undefined) this.pending = undefined;
    return metadata;
  }
}

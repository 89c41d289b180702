import { type GeneratedModule, generateStubs } from "./generated-stubs.js";
import { EchoHandler } from "./echo-handler.js";
import { type RunningServer, startServer } from "./transports.js";

/** A server on 127.0.0.1 serving roundtrip.thrift's LoudEcho, Echo and Base with one EchoHandler. */
export interface RoundtripServer {
  roundtrip: GeneratedModule;
  base: GeneratedModule;
  handler: EchoHandler;
  running: RunningServer;
  /** Closes the server and removes the generated stubs. */
  stop(): Promise<void>;
}

/**
 * Generates roundtrip.thrift's stubs under `name` (a folder of their own, so
 * test files running side by side do not share one) and serves all three of
 * its services: the same methods then answer under several service names.
 */
export async function startRoundtripServer(name: string): Promise<RoundtripServer> {
  const stubs = await generateStubs(name, "roundtrip.thrift");
  try {
    const roundtrip = await stubs.load("roundtrip");
    const base = await stubs.load("base");
    const handler = new EchoHandler(roundtrip);
    const running = await startServer((server) => {
      roundtrip["registerLoudEcho"](server, handler);
      roundtrip["registerEcho"](server, handler);
      base["registerBase"](server, handler);
    });
    const stop = async () => {
      try {
        await running.server.close({ graceMs: 1000 });
      } finally {
        stubs.dispose();
      }
    };
    return { roundtrip, base, handler, running, stop };
  } catch (error) {
    stubs.dispose();
    throw error;
  }
}

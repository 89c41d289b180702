/** The IPC messages of the memory-per-connection bench (bench/connection-memory.ts). */
import type { MemoryFramework } from "./held-connections.js";

export type { MemoryFramework };

/** A server process's memory, read right after a full GC. */
export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  /** V8 heap committed: moves with the young generation's size, which V8 adapts as it goes. */
  heapTotalBytes: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalBytes: number;
  /** Open file descriptors: sockets accepted so far show up here before any protocol code runs. */
  openFds: number;
}

/** Orchestrator -> memory server. */
export type MemoryServerCommand =
  | { type: "measure" }
  /** Once `count` park calls wait: GC, report a "parked" reading, then release them. */
  | { type: "park-expect"; count: number };

/** Memory server -> orchestrator. */
export type MemoryServerMessage =
  | { type: "listening"; port: number }
  /** The park lot is armed: park calls may be sent. */
  | { type: "armed" }
  | ({ type: "measured" } & MemoryReading)
  | ({ type: "parked" } & MemoryReading);

/** Orchestrator -> client holding the connections. */
export type MemoryClientCommand =
  | { type: "open"; count: number }
  | { type: "park" }
  | { type: "close" };

/** Client -> orchestrator. */
export type MemoryClientMessage =
  | { type: "opened"; count: number }
  | { type: "replied"; count: number }
  | { type: "closed" }
  | { type: "failed"; message: string };

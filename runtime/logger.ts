import { createRequire } from "node:module";
import type { Logger as PinoLogger } from "pino";

/** One logging call: a message, or structured fields followed by a message (pino's argument order). */
export type LogMethod = (objOrMsg: object | string, msg?: string) => void;

/**
 * What the runtime logs through. A pino logger satisfies it as is, so users pass
 * their own pino instance (or any object with these four methods).
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const DEFAULT_LEVEL = "warn";

/**
 * Stands for the default pino logger and creates it on the first log call. Every
 * Channel and Server asks for the default logger at construction, but most never
 * log: loading pino only when a line is actually written keeps its modules out
 * of the memory of such processes.
 */
class DeferredPinoLogger implements Logger {
  private instance: PinoLogger | undefined;

  readonly debug: LogMethod = (objOrMsg, msg) => this.log("debug", objOrMsg, msg);
  readonly info: LogMethod = (objOrMsg, msg) => this.log("info", objOrMsg, msg);
  readonly warn: LogMethod = (objOrMsg, msg) => this.log("warn", objOrMsg, msg);
  readonly error: LogMethod = (objOrMsg, msg) => this.log("error", objOrMsg, msg);

  /** pino's level, readable (and settable) before pino is loaded. */
  get level(): string {
    return this.instance?.level ?? DEFAULT_LEVEL;
  }

  set level(level: string) {
    this.pino().level = level;
  }

  private log(level: "debug" | "info" | "warn" | "error", objOrMsg: object | string, msg: string | undefined): void {
    // Below the default level nothing is written, so there is no reason to load pino yet.
    if (this.instance === undefined && (level === "debug" || level === "info")) return;
    const pino = this.pino();
    // Forwarded with the caller's argument count: pino reads a trailing undefined as a format argument.
    if (msg === undefined) pino[level](objOrMsg as object);
    else pino[level](objOrMsg as object, msg);
  }

  private pino(): PinoLogger {
    if (this.instance === undefined) {
      // pino is CommonJS, so require() loads it synchronously, right when it is first needed.
      const { pino } = createRequire(import.meta.url)("pino") as typeof import("pino");
      this.instance = pino({ name: "rpcgen", level: DEFAULT_LEVEL }, pino.destination(2));
    }
    return this.instance;
  }
}

let sharedDefault: Logger | undefined;

/**
 * The logger used when none is given: pino at level "warn" writing to stderr, so
 * the runtime says nothing unless something is wrong. One shared instance; pino
 * itself is loaded on the first line logged.
 */
export function defaultLogger(): Logger {
  sharedDefault ??= new DeferredPinoLogger();
  return sharedDefault;
}

const ignore: LogMethod = () => {};

/** A logger that drops everything: for tests and for callers that log elsewhere. */
export const silentLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};

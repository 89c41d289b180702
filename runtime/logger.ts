import { pino } from "pino";

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

let sharedDefault: Logger | undefined;

/**
 * The logger used when none is given: pino at level "warn" writing to stderr, so
 * the runtime says nothing unless something is wrong. Created once, on first use.
 */
export function defaultLogger(): Logger {
  sharedDefault ??= pino({ name: "rpcgen", level: "warn" }, pino.destination(2));
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

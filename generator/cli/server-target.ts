import { Channel } from "@rpcgen/runtime/internal/client/channel.js";
import type { ServiceDescriptor } from "@rpcgen/runtime/internal/descriptor.js";
import { Code, RpcError } from "@rpcgen/runtime/internal/errors.js";
import type { ClientTlsOptions } from "@rpcgen/runtime/internal/security/client-tls.js";
import { silentLogger } from "@rpcgen/runtime/internal/logger.js";
import { descriptorsFromReflection } from "@rpcgen/runtime/internal/observability/reflection/reflected-descriptors.js";
import type { ReflectionDocument } from "@rpcgen/runtime/internal/observability/reflection/reflection-schema.js";
import { ReflectionService } from "@rpcgen/runtime/internal/observability/reflection/reflection-service.js";
import { grpcStatusOf } from "@rpcgen/runtime/internal/protocols/grpc/grpc-status.js";
import type { CliIo } from "./cli-io.js";
import { EXIT_USAGE } from "./exit-codes.js";

/** The default time for the reflection call and for the call itself. */
export const defaultTimeoutMs = 10_000;

/** A usage problem: printed with the command's usage line, exit 2. */
export class UsageError extends Error {}

/** A server reached over rpcgen frames, with what it says about itself. */
export interface ReflectedServer {
  readonly channel: Channel;
  readonly document: ReflectionDocument;
  readonly services: readonly ServiceDescriptor[];
}

/** Checks `HOST:PORT` (IPv6 as `[::1]:PORT`). */
export function checkAddress(address: string | undefined): string {
  if (address === undefined) throw new UsageError("missing HOST:PORT");
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(address);
  if (match === null || Number(match[2]) > 65535) throw new UsageError(`not HOST:PORT: ${JSON.stringify(address)}`);
  return address;
}

/**
 * Connects to `address` and asks it to describe itself (the built-in
 * `rpcgen.Reflection.describe`): no IDL is needed on this side.
 */
export async function reflect(address: string, timeoutMs: number, connection: ConnectionOptions = {}): Promise<ReflectedServer> {
  const channel = new Channel({ address, codec: "binary", logger: silentLogger, connectTimeoutMs: timeoutMs, heartbeatIntervalMs: 0, ...connection });
  try {
    const text = (await channel.invoke(ReflectionService.methods["describe"]!, [], { timeoutMs })) as string;
    const document = JSON.parse(text) as ReflectionDocument;
    return { channel, document, services: descriptorsFromReflection(document) };
  } catch (error) {
    await channel.close();
    if (error instanceof RpcError && error.code === Code.UNIMPLEMENTED) {
      throw new RpcError(Code.UNIMPLEMENTED, `${address} does not describe its services (reflection is off, or it is not an rpcgen server)`);
    }
    throw error;
  }
}

/**
 * Parses `--name value` / `--name=value` options and positional words; `--`
 * ends the options, and a word like `-1` is positional (a negative number).
 */
export function parseWords(
  argv: readonly string[],
  valued: readonly string[],
  { repeatable = [], flags = [] }: { repeatable?: readonly string[]; flags?: readonly string[] } = {},
): { options: Map<string, string[]>; flags: Set<string>; positional: string[]; help: boolean } {
  const options = new Map<string, string[]>();
  const flagsSeen = new Set<string>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (word === "-h" || word === "--help") {
      help = true;
      continue;
    }
    if (!word.startsWith("--")) {
      positional.push(word);
      continue;
    }
    const equals = word.indexOf("=");
    const name = equals < 0 ? word.slice(2) : word.slice(2, equals);
    if (equals < 0 && flags.includes(name)) {
      flagsSeen.add(name);
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`unknown option --${name}`);
    let value: string | undefined;
    if (equals >= 0) value = word.slice(equals + 1);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    const values = options.get(name) ?? [];
    if (values.length > 0 && !repeatable.includes(name)) throw new UsageError(`option --${name} is given twice`);
    values.push(value);
    options.set(name, values);
  }
  return { options, flags: flagsSeen, positional, help };
}

/** How to reach a secured server: TLS and a token (docs/SECURITY.md). */
export interface ConnectionOptions {
  tls?: ClientTlsOptions | true;
  token?: string;
}

/** The options every subcommand that talks to a server takes, besides its own. */
export const connectionValued = ["timeout", "token", "tls-ca", "tls-cert", "tls-key", "tls-servername"] as const;
export const connectionFlags = ["tls"] as const;

export const connectionHelp = `  --timeout MS            time allowed for the call (default 10000)
  --token TOKEN           sent as "authorization: Bearer TOKEN" (servers with auth)
  --tls                   connect over TLS, trusting the system's CAs
  --tls-ca FILE           ... trusting this CA bundle instead (implies --tls)
  --tls-cert FILE, --tls-key FILE   a client certificate, for mutual TLS
  --tls-servername NAME   the name the server's certificate must carry
`;

/** --token and the TLS options, as Channel options. */
export function connectionOptions(options: Map<string, string[]>, flags: Set<string>): ConnectionOptions {
  const one = (name: string): string | undefined => options.get(name)?.[0];
  const out: ConnectionOptions = {};
  const token = one("token");
  if (token !== undefined) out.token = token;
  const tls: ClientTlsOptions = {};
  const caFile = one("tls-ca");
  const certFile = one("tls-cert");
  const keyFile = one("tls-key");
  const servername = one("tls-servername");
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
  if (caFile !== undefined) tls.caFile = caFile;
  if (certFile !== undefined) tls.certFile = certFile;
  if (keyFile !== undefined) tls.keyFile = keyFile;
  if (servername !== undefined) tls.servername = servername;
  if (Object.keys(tls).length > 0) out.tls = tls;
  else if (flags.has("tls")) out.tls = true;
  return out;
}

/** `--timeout` in milliseconds. */
export function timeoutOption(options: Map<string, string[]>): number {
  const text = options.get("timeout")?.[0];
  if (text === undefined) return defaultTimeoutMs;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Exit status of a failed call, as grpcurl does: 64 + the gRPC status number
 * of its code (UNAVAILABLE 78, DEADLINE_EXCEEDED 68, a declared exception
 * UNKNOWN 66), so scripts can tell failures from usage errors (2).
 */
export function exitCodeOf(code: Code): number {
  return 64 + grpcStatusOf[code];
}

/** Reports a failure that is not a usage error: the code and message on stderr, the exit status. */
export function reportRpcFailure(error: unknown, io: CliIo): number {
  const rpcError = RpcError.from(error, Code.UNKNOWN);
  io.stderr(`rpcgen: ${rpcError.code}: ${rpcError.message}\n`);
  return exitCodeOf(rpcError.code);
}

export function reportUsage(error: UsageError, usage: string, io: CliIo): number {
  io.stderr(`rpcgen: ${error.message}\nusage: ${usage}\n`);
  return EXIT_USAGE;
}

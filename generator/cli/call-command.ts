import type { MethodDescriptor, TypeDescriptor } from "@rpcgen/runtime/internal/descriptor.js";
import { Code, RpcError } from "@rpcgen/runtime/internal/errors.js";
import { ReflectedException } from "@rpcgen/runtime/internal/observability/reflection/reflected-descriptors.js";
import { readRespArguments } from "@rpcgen/runtime/internal/resp/call-arguments.js";
import { fromJsonValue, toJsonValue } from "@rpcgen/runtime/internal/resp/json-value.js";
import { returnType } from "@rpcgen/runtime/internal/resp/result-reply.js";
import type { CliIo } from "./cli-io.js";
import { EXIT_OK } from "./exit-codes.js";
import {
  checkAddress,
  connectionFlags,
  connectionHelp,
  connectionOptions,
  connectionValued,
  exitCodeOf,
  parseWords,
  reflect,
  reportRpcFailure,
  reportUsage,
  timeoutOption,
  UsageError,
  type ConnectionOptions,
  type ReflectedServer,
} from "./server-target.js";

const usage = "rpcgen call HOST:PORT Service.method [ARG...] [--json JSON] [--timeout MS] [--metadata KEY=VALUE]... [--token TOKEN] [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]";

const help = `${usage}

Calls a method of a running rpcgen server, with the argument types the server
reports about itself (no IDL needed), and prints the result as JSON.

  ARG...                  the arguments in order, each read by its IDL type as
                          RESP reads them: 12, true, text, an enum name,
                          JSON for structs and containers
  --json JSON             the arguments as one JSON object by name ({"a":1,"b":2})
                          or array in order, instead of ARG...
  --metadata KEY=VALUE    metadata sent with the call (repeatable)
${connectionHelp}
Exit status: 0 when the call succeeds, 2 for a usage error, 64 + the gRPC
status number when it fails (the code is printed on stderr; a declared
exception is UNKNOWN, 66, printed as its name and fields).
`;

interface CallRequest {
  readonly address: string;
  readonly target: string;
  readonly words: readonly string[];
  readonly json: string | undefined;
  readonly timeoutMs: number;
  readonly metadata: Record<string, string>;
  readonly connection: ConnectionOptions;
}

/** `rpcgen call HOST:PORT Service.method ARGS...`. */
export async function runCallCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let request: CallRequest;
  try {
    const parsed = parseWords(argv, ["json", "metadata", ...connectionValued], { repeatable: ["metadata"], flags: connectionFlags });
    if (parsed.help) {
      io.stdout(help);
      return EXIT_OK;
    }
    request = callRequest(parsed.positional, parsed.options, parsed.flags);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage(error, usage, io);
    throw error;
  }
  let server: ReflectedServer;
  try {
    server = await reflect(request.address, request.timeoutMs, request.connection);
  } catch (error) {
    return reportRpcFailure(error, io);
  }
  try {
    let method: MethodDescriptor;
    let args: unknown[];
    try {
      method = findMethod(server, request.target);
      args = request.json === undefined ? readRespArguments(method, request.words.map((word) => Buffer.from(word, "utf8"))) : jsonArguments(method, request.json);
    } catch (error) {
      if (error instanceof UsageError) return reportUsage(error, usage, io);
      // An argument that does not convert: the same words a server would say.
      return reportRpcFailure(new RpcError(Code.INVALID_ARGUMENT, (error as Error).message), io);
    }
    let result: unknown;
    try {
      result = await server.channel.invoke(method, args, { timeoutMs: request.timeoutMs, metadata: request.metadata });
    } catch (error) {
      if (error instanceof ReflectedException) return reportException(method, error, io);
      return reportRpcFailure(error, io);
    }
    const type = returnType(method);
    if (type !== undefined && !method.oneway) io.stdout(`${formatResult(result, type)}\n`);
    return EXIT_OK;
  } finally {
    await server.channel.close();
  }
}

function callRequest(positional: readonly string[], options: Map<string, string[]>, flags: Set<string>): CallRequest {
  const address = checkAddress(positional[0]);
  const target = positional[1];
  if (target === undefined) throw new UsageError("missing Service.method");
  const json = options.get("json")?.[0];
  const words = positional.slice(2);
  if (json !== undefined && words.length > 0) throw new UsageError("give the arguments either as ARG... or with --json, not both");
  const metadata: Record<string, string> = {};
  for (const entry of options.get("metadata") ?? []) {
    const equals = entry.indexOf("=");
    if (equals <= 0) throw new UsageError(`--metadata takes KEY=VALUE, got ${JSON.stringify(entry)}`);
    metadata[entry.slice(0, equals).toLowerCase()] = entry.slice(equals + 1);
  }
  return { address, target, words, json, timeoutMs: timeoutOption(options), metadata, connection: connectionOptions(options, flags) };
}

function findMethod(server: ReflectedServer, target: string): MethodDescriptor {
  for (const service of server.services) {
    for (const method of Object.values(service.methods)) if (method.fullName === target) return method;
  }
  const known = server.services.flatMap((service) => Object.values(service.methods).map((method) => method.fullName));
  throw new UsageError(`the server has no method ${JSON.stringify(target)}${known.length > 0 ? ` (it has ${known.join(", ")})` : ""}`);
}

/** `--json`: an object by argument name, or an array in order, each value read by its IDL type. */
function jsonArguments(method: MethodDescriptor, text: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json is not valid JSON (${(error as Error).message})`);
  }
  const fields = method.args.fields;
  if (Array.isArray(json)) {
    if (json.length > fields.length) throw new UsageError(`${method.fullName} takes ${fields.length} argument(s), --json gives ${json.length}`);
    return fields.map((field, i) => (json[i] === undefined ? undefined : fromJsonValue(json[i], field.type, `argument '${field.name}'`, { rejectUnknownFields: true })));
  }
  if (json === null || typeof json !== "object") throw new UsageError("--json takes an object of arguments by name, or an array of them in order");
  const byName = json as Record<string, unknown>;
  for (const key of Object.keys(byName)) {
    if (!fields.some((field) => field.name === key)) throw new UsageError(`${method.fullName} has no argument ${JSON.stringify(key)}`);
  }
  return fields.map((field) =>
    Object.hasOwn(byName, field.name) ? fromJsonValue(byName[field.name], field.type, `argument '${field.name}'`, { rejectUnknownFields: true }) : undefined,
  );
}

/** The result as JSON; an i64 alone as its bare decimal digits (exact, and valid JSON). */
function formatResult(value: unknown, type: TypeDescriptor): string {
  if (value === undefined || value === null) return "null";
  const json = toJsonValue(value, type, "result");
  if (type.kind === "i64") return String(json);
  return typeof json === "object" && json !== null ? JSON.stringify(json, null, 2) : JSON.stringify(json);
}

function reportException(method: MethodDescriptor, exception: ReflectedException, io: CliIo): number {
  const field = method.result.fields.find((candidate) => candidate.id !== 0 && candidate.type.kind === "struct" && exception instanceof (candidate.type.struct().exceptionClass ?? Object));
  const fields = field === undefined ? exception.fields : toJsonValue(exception.fields, field.type, "exception");
  io.stderr(`rpcgen: ${exception.exceptionName} ${JSON.stringify(fields)}\n`);
  return exitCodeOf(Code.UNKNOWN);
}

import { methodSignature } from "@rpcgen/runtime/internal/observability/reflection/reflection-schema.js";
import type { CliIo } from "./cli-io.js";
import { EXIT_OK } from "./exit-codes.js";
import {
  checkAddress,
  connectionFlags,
  connectionHelp,
  connectionOptions,
  connectionValued,
  parseWords,
  reflect,
  reportRpcFailure,
  reportUsage,
  timeoutOption,
  UsageError,
  type ConnectionOptions,
} from "./server-target.js";

const usage = "rpcgen list HOST:PORT [--json] [--timeout MS] [--token TOKEN] [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]";

const help = `${usage}

Lists the services of a running rpcgen server, one method per line:
  Service.method(arg: type, ...) -> result [throws E] [(oneway)]
from the server's own reflection (no IDL needed).

  --json                  print the server's whole reflection document as JSON
${connectionHelp}`;

/** `rpcgen list HOST:PORT`: exit 0, 2 for usage errors, 64 + the gRPC status number when the server cannot be asked. */
export async function runListCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let address: string;
  let timeoutMs: number;
  let json: boolean;
  let connection: ConnectionOptions;
  try {
    const parsed = parseWords(argv, connectionValued, { flags: ["json", ...connectionFlags] });
    if (parsed.help) {
      io.stdout(help);
      return EXIT_OK;
    }
    json = parsed.flags.has("json");
    const words = parsed.positional;
    if (words.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(words[1])}`);
    address = checkAddress(words[0]);
    timeoutMs = timeoutOption(parsed.options);
    connection = connectionOptions(parsed.options, parsed.flags);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage(error, usage, io);
    throw error;
  }
  let server;
  try {
    server = await reflect(address, timeoutMs, connection);
  } catch (error) {
    return reportRpcFailure(error, io);
  }
  try {
    if (json) {
      io.stdout(`${JSON.stringify(server.document, null, 2)}\n`);
      return EXIT_OK;
    }
    const lines: string[] = [];
    for (const service of server.document.services) {
      for (const method of service.methods) lines.push(`${service.name}.${methodSignature(method)}`);
    }
    io.stdout(lines.length === 0 ? "(no services)\n" : `${lines.join("\n")}\n`);
    return EXIT_OK;
  } finally {
    await server.channel.close();
  }
}

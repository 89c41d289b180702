import type { MethodTable } from "../dispatch-contract.js";
import { catalog, commandDocs, commandInfo, findEntry } from "./command-catalog.js";
import type { ExceptionFormat } from "./error-reply.js";
import { resp, type RespValue, type RespVersion } from "./resp-value.js";

/** The per-connection state built-in commands read and change. */
export interface RespSession {
  version: RespVersion;
  exceptionFormat: ExceptionFormat;
  clientName: string | undefined;
  readonly id: number;
  readonly table: MethodTable;
}

const serverVersion = "1.0.0";

/**
 * Answers the commands that are not method calls: PING, ECHO, HELLO, COMMAND,
 * CLIENT and RPC.ERRORS. Returns undefined for a command it does not know.
 * `name` is upper-case; `args` are the words after it.
 */
export function runBuiltin(name: string, args: readonly Buffer[], session: RespSession): RespValue | undefined {
  switch (name) {
    case "PING":
      if (args.length > 1) return wrongArity("ping");
      return args.length === 0 ? resp.simple("PONG") : resp.bulk(args[0]!);
    case "ECHO":
      return args.length === 1 ? resp.bulk(args[0]!) : wrongArity("echo");
    case "HELLO":
      return hello(args, session);
    case "COMMAND":
      return command(args, session.table);
    case "CLIENT":
      return client(args, session);
    case "RPC.ERRORS": {
      const format = args.length === 1 ? args[0]!.toString("utf8").toLowerCase() : "";
      if (format !== "text" && format !== "json") return resp.error("ERR RPC.ERRORS takes TEXT or JSON");
      session.exceptionFormat = format;
      return resp.ok;
    }
    default:
      return undefined;
  }
}

function wrongArity(command: string): RespValue {
  return resp.error(`ERR wrong number of arguments for '${command}' command`);
}

/** `HELLO [protover [AUTH user pass] [SETNAME name]]`: RESP2 and RESP3 are both spoken. */
function hello(args: readonly Buffer[], session: RespSession): RespValue {
  let version = session.version;
  let i = 0;
  if (args.length > 0) {
    const requested = args[0]!.toString("utf8");
    if (requested !== "2" && requested !== "3") {
      return resp.error(/^\d+$/.test(requested) ? "NOPROTO unsupported protocol version" : "ERR Protocol version is not an integer or out of range");
    }
    version = requested === "3" ? 3 : 2;
    i = 1;
  }
  let clientName = session.clientName;
  while (i < args.length) {
    const option = args[i]!.toString("utf8").toUpperCase();
    if (option === "SETNAME" && i + 1 < args.length) {
      clientName = args[i + 1]!.toString("utf8");
      i += 2;
    } else if (option === "AUTH") {
      return resp.error("ERR this server has no authentication (AUTH is not supported)");
    } else {
      return resp.error(`ERR syntax error in HELLO option '${option}'`);
    }
  }
  session.version = version;
  session.clientName = clientName;
  return resp.map([
    [resp.bulk("server"), resp.bulk("rpcgen")],
    [resp.bulk("version"), resp.bulk(serverVersion)],
    [resp.bulk("proto"), resp.integer(version)],
    [resp.bulk("id"), resp.integer(session.id)],
    [resp.bulk("mode"), resp.bulk("standalone")],
    [resp.bulk("role"), resp.bulk("master")],
    [resp.bulk("modules"), resp.array([])],
  ]);
}

function command(args: readonly Buffer[], table: MethodTable): RespValue {
  const entries = catalog(table);
  if (args.length === 0) return resp.array(entries.map(commandInfo));
  const sub = args[0]!.toString("utf8").toUpperCase();
  const names = args.slice(1).map((arg) => arg.toString("utf8"));
  switch (sub) {
    case "COUNT":
      return resp.integer(entries.length);
    case "LIST":
      return resp.array(entries.map((entry) => resp.bulk(entry.name)));
    case "INFO":
      return resp.array(names.map((name) => {
        const entry = findEntry(entries, name);
        return entry ? commandInfo(entry) : resp.null;
      }));
    case "DOCS": {
      const chosen = names.length === 0 ? entries : names.flatMap((name) => findEntry(entries, name) ?? []);
      return resp.map(chosen.map((entry) => [resp.bulk(entry.name), commandDocs(entry)] as const));
    }
    default:
      return resp.error(`ERR unknown subcommand '${sub}'. Try COMMAND, COMMAND COUNT, COMMAND DOCS, COMMAND INFO or COMMAND LIST.`);
  }
}

function client(args: readonly Buffer[], session: RespSession): RespValue {
  const sub = args[0]?.toString("utf8").toUpperCase();
  switch (sub) {
    case "SETNAME":
      if (args.length !== 2) return wrongArity("client|setname");
      session.clientName = args[1]!.toString("utf8");
      return resp.ok;
    case "GETNAME":
      return session.clientName === undefined ? resp.null : resp.bulk(session.clientName);
    case "SETINFO":
      return args.length === 3 ? resp.ok : wrongArity("client|setinfo");
    case "ID":
      return resp.integer(session.id);
    default:
      return resp.error(`ERR unknown subcommand '${sub ?? ""}' for CLIENT. Try SETNAME, GETNAME, SETINFO or ID.`);
  }
}

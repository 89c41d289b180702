import type { MethodDescriptor, TypeDescriptor } from "../descriptor.js";
import type { MethodTable } from "../dispatch-contract.js";
import { resp, type RespValue } from "./resp-value.js";
import { typeName } from "./type-names.js";

/** One argument of a command, as `COMMAND DOCS` describes it. */
interface CatalogArgument {
  readonly name: string;
  /** A Redis argument type: `string`, `integer` or `double`. */
  readonly type: string;
  readonly optional?: boolean;
  readonly multiple?: boolean;
}

/** A command the RESP front end answers, for `COMMAND`, `COMMAND DOCS` and `COMMAND COUNT`. */
interface CatalogEntry {
  readonly name: string;
  /** Redis convention: N means exactly N words with the name, -N means at least N. */
  readonly arity: number;
  readonly summary: string;
  readonly group: string;
  readonly flags: readonly string[];
  readonly arguments: readonly CatalogArgument[];
}

const builtins: readonly CatalogEntry[] = [
  {
    name: "call",
    arity: -2,
    summary: "Calls a service method: CALL <Service.method> [argument ...]",
    group: "rpc",
    flags: [],
    arguments: [
      { name: "method", type: "string" },
      { name: "argument", type: "string", optional: true, multiple: true },
    ],
  },
  { name: "ping", arity: -1, summary: "Replies PONG, or echoes its argument", group: "connection", flags: ["fast"], arguments: [{ name: "message", type: "string", optional: true }] },
  { name: "echo", arity: 2, summary: "Echoes its argument", group: "connection", flags: ["fast"], arguments: [{ name: "message", type: "string" }] },
  { name: "quit", arity: -1, summary: "Closes the connection", group: "connection", flags: ["fast"], arguments: [] },
  {
    name: "hello",
    arity: -1,
    summary: "Negotiates the protocol version (2 or 3)",
    group: "connection",
    flags: ["fast"],
    arguments: [
      { name: "protover", type: "integer", optional: true },
      { name: "clientname", type: "string", optional: true },
    ],
  },
  { name: "command", arity: -1, summary: "Describes the commands: COMMAND, COMMAND COUNT, COMMAND DOCS, COMMAND INFO, COMMAND LIST", group: "server", flags: [], arguments: [{ name: "subcommand", type: "string", optional: true }] },
  { name: "client", arity: -2, summary: "CLIENT SETNAME | GETNAME | SETINFO | ID", group: "connection", flags: [], arguments: [{ name: "subcommand", type: "string" }] },
  {
    name: "rpc.errors",
    arity: 2,
    summary: "How declared exceptions are written on this connection: TEXT (message) or JSON (fields)",
    group: "rpc",
    flags: ["fast"],
    arguments: [{ name: "format", type: "string" }],
  },
];

function argumentType(type: TypeDescriptor): string {
  switch (type.kind) {
    case "i8":
    case "i16":
    case "i32":
    case "i64":
      return "integer";
    case "double":
      return "double";
    default:
      return "string";
  }
}

function methodEntry(method: MethodDescriptor): CatalogEntry {
  const fields = method.args.fields;
  const required = fields.filter((field) => field.requiredness !== "optional").length;
  const success = method.result.fields.find((field) => field.id === 0);
  const returnText = method.oneway ? "oneway" : success ? `returns ${typeName(success.type)}` : "returns nothing";
  return {
    name: method.fullName,
    arity: required === fields.length ? fields.length + 1 : -(required + 1),
    summary: `${method.fullName}(${fields.map((f) => `${f.name}: ${typeName(f.type)}`).join(", ")}) ${returnText}; also callable as CALL ${method.fullName}`,
    group: "rpc",
    flags: [],
    arguments: fields.map((field) => ({ name: field.name, type: argumentType(field.type), optional: field.requiredness === "optional" })),
  };
}

/** Every command: the built-ins, then each registered method under its wire name. */
export function catalog(table: MethodTable): CatalogEntry[] {
  return [...builtins, ...[...table.all()].map((registered) => methodEntry(registered.method))];
}

/** One `COMMAND INFO` entry in the Redis 7 layout (name, arity, flags, keys, categories, tips, key specs, subcommands). */
export function commandInfo(entry: CatalogEntry): RespValue {
  return resp.array([
    resp.bulk(entry.name),
    resp.integer(entry.arity),
    resp.array(entry.flags.map((flag) => resp.simple(flag))),
    resp.integer(0),
    resp.integer(0),
    resp.integer(0),
    resp.array([resp.simple(`@${entry.group}`)]),
    resp.array([]),
    resp.array([]),
    resp.array([]),
  ]);
}

/** One `COMMAND DOCS` entry: a map of summary, since, group and arguments. */
export function commandDocs(entry: CatalogEntry): RespValue {
  return resp.map([
    [resp.bulk("summary"), resp.bulk(entry.summary)],
    [resp.bulk("since"), resp.bulk("1.0.0")],
    [resp.bulk("group"), resp.bulk(entry.group)],
    [
      resp.bulk("arguments"),
      resp.array(
        entry.arguments.map((argument) => {
          const flags = [...(argument.optional ? ["optional"] : []), ...(argument.multiple ? ["multiple"] : [])];
          const pairs: (readonly [RespValue, RespValue])[] = [
            [resp.bulk("name"), resp.bulk(argument.name)],
            [resp.bulk("type"), resp.bulk(argument.type)],
            [resp.bulk("display_text"), resp.bulk(argument.name)],
          ];
          if (flags.length > 0) pairs.push([resp.bulk("flags"), resp.array(flags.map((flag) => resp.simple(flag)))]);
          return resp.map(pairs);
        }),
      ),
    ],
  ]);
}

/** Finds an entry by name, case-insensitively for built-ins and exactly for methods. */
export function findEntry(entries: readonly CatalogEntry[], name: string): CatalogEntry | undefined {
  return entries.find((entry) => entry.name === name) ?? entries.find((entry) => entry.name === name.toLowerCase());
}

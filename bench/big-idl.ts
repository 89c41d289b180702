/**
 * A large, realistic IDL program for the generator benchmark, the same in
 * every run: shaped like the big IDL files of real projects (a metastore-like
 * API: one large service extending a base service, many documented structs),
 * a root file of about 170 KB, as big as the real file cited in issue 13,
 * including six files of shared types, about 460 KB in all. It uses what such
 * files use — doc comments, namespaces, typedefs, enums, constants (struct
 * ones too), structs with defaults and containers, unions, exceptions,
 * `rpc.*` annotations — and only what Apache Thrift 0.17 accepts (no `uuid`),
 * so both compilers can read it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One file of the program: its name and text. */
export interface IdlFile {
  readonly name: string;
  readonly text: string;
}

/** The name of the root file. */
export const BIG_IDL_ROOT = "metastore.thrift";

/** Writes the program into `dir` and returns the root file's path. */
export function writeBigIdl(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const file of bigIdlProgram()) writeFileSync(path.join(dir, file.name), file.text);
  return path.join(dir, BIG_IDL_ROOT);
}

/** The files of the program, includes first, root last. */
export function bigIdlProgram(): IdlFile[] {
  const random = seededRandom(0x5eed);
  const included = Array.from({ length: 6 }, (_, i) => typesFile(i === 0 ? "base" : `common${i}`, random, i === 0));
  return [
    ...included.map((file) => ({ name: `${file.scope}.thrift`, text: file.text })),
    { name: BIG_IDL_ROOT, text: rootFile(included, random) },
  ];
}

/** What other files may refer to in a file of types. */
interface TypesFile {
  readonly scope: string;
  readonly text: string;
  readonly enums: readonly EnumInfo[];
  readonly structs: readonly string[];
  readonly exceptions: readonly string[];
  readonly service: string | undefined;
}

interface EnumInfo {
  readonly name: string;
  readonly values: readonly string[];
}

const words = [
  "account", "order", "invoice", "payment", "customer", "address", "shipment", "product", "catalog",
  "inventory", "warehouse", "region", "tenant", "project", "quota", "schedule", "report", "metric",
  "session", "token", "device", "policy", "audit", "event", "partition", "replica", "snapshot",
  "backup", "job", "task", "worker", "queue", "message", "channel", "table", "column", "index",
  "database", "function", "role", "grant", "lock", "transaction", "statistic", "constraint", "catalog",
];

const phrases = [
  "is kept for as long as the owning tenant exists",
  "may be absent when the caller did not ask for it",
  "is set by the server and ignored in requests",
  "must be unique within its database",
  "uses the time zone of the cluster",
  "is compared case-insensitively",
  "can be changed only by an administrator",
  "is filled in lazily on first access",
  "counts every retry as a separate attempt",
  "is written once and never updated",
];

function typesFile(scope: string, random: Random, withBaseService: boolean): TypesFile {
  const lines: string[] = [
    "/**",
    ` * Shared types of the metastore: ${scope}.`,
    " *",
    " * Licensed under the Apache License, Version 2.0; see the LICENSE file of the project.",
    " */",
    `namespace java org.example.metastore.${scope}`,
    `namespace py metastore.${scope}`,
    `namespace cpp metastore.${scope}`,
    "",
    `/** Identifier of a ${scope} record. */`,
    `typedef i64 ${upper(scope)}Id`,
    "/** An ISO-8601 timestamp. */",
    "typedef string Timestamp",
    "typedef map<string, string> Attributes",
    "",
  ];
  const enums = Array.from({ length: 6 }, (_, i) => {
    const name = `${upper(pick(random, words))}${upper(pick(random, words))}Kind${i}`;
    const values = Array.from({ length: 4 + Math.floor(random() * 8) }, (_, v) => `${pick(random, words).toUpperCase()}_${v}`);
    lines.push(`/**`, ` * Kinds of ${splitWords(name)}.`, ` * The numbering is part of the wire format: never reuse a value.`, ` */`, `enum ${name} {`);
    values.forEach((value, v) => {
      if (random() < 0.4) lines.push(`  /** ${sentence(random)} */`);
      lines.push(`  ${value} = ${v + 1},`);
    });
    lines.push("}", "");
    return { name, values };
  });
  const structs: string[] = [];
  for (let i = 0; i < 36; i++) {
    const name = `${upper(pick(random, words))}${upper(pick(random, words))}${i}`;
    lines.push(...structText(name, random, enums, structs, "", `${upper(scope)}Id`, 0.6));
    structs.push(name);
  }
  const exceptions = ["NoSuchObject", "AlreadyExists", "InvalidObject", "MetaFailure"].map((kind) => `${upper(scope)}${kind}`);
  for (const name of exceptions) {
    lines.push(
      `/** Raised when ${splitWords(name).toLowerCase()} happens. */`,
      `exception ${name} {`,
      "  /** What went wrong, for people. */",
      "  1: string message,",
      "  /** A stable code for programs. */",
      "  2: optional i32 code = 0,",
      "  3: optional Attributes details,",
      "}",
      "",
    );
  }
  lines.push(`const i32 ${scope.toUpperCase()}_VERSION = 3`, `const list<string> ${scope.toUpperCase()}_REGIONS = ["eu", "us", "ap"]`, "");
  let service: string | undefined;
  if (withBaseService) {
    service = "BaseService";
    lines.push("/** What every service of the metastore answers: health, counters, options. */", `service ${service} {`);
    for (const method of ["getName", "getVersion", "getStatusDetails", "aliveSince", "getOption", "getCpuProfile", "reinitialize", "shutdown"]) {
      lines.push(`  /** ${sentence(random)} */`, `  string ${method}(1: string key) (rpc.idempotent = "true"),`);
    }
    lines.push("  /** Counters by name. */", "  map<string, i64> getCounters(),", "}", "");
  }
  return { scope, text: `${lines.join("\n")}\n`, enums, structs, exceptions, service };
}

function structText(
  name: string,
  random: Random,
  enums: readonly EnumInfo[],
  earlier: readonly string[],
  prefix: string,
  idType: string,
  documented: number,
): string[] {
  const lines = ["/**", ` * A ${splitWords(name.replace(/\d+$/, ""))} record.`, ` *`, ` * The ${splitWords(name.replace(/\d+$/, ""))} ${pick(random, phrases)}.`, " */", `struct ${name} {`];
  const fieldCount = 4 + Math.floor(random() * 12);
  const used = new Set<string>();
  for (let id = 1; id <= fieldCount; id++) {
    let field = `${pick(random, words)}${upper(pick(random, words))}`;
    while (used.has(field)) field += "X";
    used.add(field);
    const roll = random();
    const requiredness = id === 1 ? "required " : roll < 0.5 ? "optional " : "";
    let type: string;
    let defaultValue = "";
    if (id === 1) type = idType;
    else if (roll < 0.15) type = "string";
    else if (roll < 0.25) {
      type = "i32";
      if (random() < 0.4) defaultValue = ` = ${Math.floor(random() * 100)}`;
    } else if (roll < 0.32) type = "i64";
    else if (roll < 0.38) type = "bool";
    else if (roll < 0.44) type = "double";
    else if (roll < 0.5) type = "Timestamp";
    else if (roll < 0.6) {
      const e = pick(random, enums);
      type = `${prefix}${e.name}`;
      if (random() < 0.5) defaultValue = ` = ${prefix}${e.name}.${e.values[0]}`;
    } else if (roll < 0.7 && earlier.length > 0) type = pick(random, earlier);
    else if (roll < 0.8) type = earlier.length > 0 ? `list<${pick(random, earlier)}>` : "list<string>";
    else if (roll < 0.86) type = "set<string>";
    else if (roll < 0.92) type = `map<string, ${earlier.length > 0 && random() < 0.5 ? pick(random, earlier) : "i64"}>`;
    else type = "Attributes";
    if (random() < documented) {
      lines.push(`  /**`, `   * The ${splitWords(field)} of this record; it ${pick(random, phrases)}.`);
      if (random() < 0.5) lines.push(`   * ${sentence(random)}`);
      lines.push(`   */`);
    }
    lines.push(`  ${id}: ${requiredness}${type} ${field}${defaultValue},`);
  }
  lines.push("}", "");
  return lines;
}

function rootFile(included: readonly TypesFile[], random: Random): string {
  const base = included[0]!;
  const lines: string[] = [
    "/**",
    " * The metastore's public API: every call a client can make.",
    " *",
    " * Requests and responses are versioned with the service; fields are only ever added.",
    " */",
    ...included.map((file) => `include "${file.scope}.thrift"`),
    "",
    "namespace java org.example.metastore.api",
    "namespace py metastore.api",
    "",
    'typedef i64 (ts.type = "number") Millis',
    "typedef string Timestamp",
    "typedef map<string, string> Attributes",
    "",
    "/** Lifecycle of every resource. */",
    "enum Status {",
    "  ACTIVE = 1,",
    "  SUSPENDED = 2,",
    "  DELETED = 3,",
    '  PENDING = 4 (deprecated = "use ACTIVE"),',
    "}",
    "",
  ];
  const localEnums = [{ name: "Status", values: ["ACTIVE", "SUSPENDED", "DELETED", "PENDING"] }];
  const requests: string[] = [];
  for (let i = 0; i < 75; i++) {
    const from = pick(random, included);
    const name = `${upper(pick(random, words))}Request${i}`;
    lines.push(...structText(name, random, localEnums, requests, "", `${from.scope}.${upper(from.scope)}Id`, 0.9));
    requests.push(name);
  }
  lines.push(
    "/** Either a single value or a page of them. */",
    "union Selection {",
    "  1: string byName,",
    "  2: i64 byId,",
    `  3: list<${requests[0]}> many,`,
    "}",
    "",
    `const ${requests[0]} EMPTY_REQUEST = { "${firstField(lines, requests[0]!)}": 0 }`,
    'const map<string, Millis> TIMEOUTS = { "fast": 100, "slow": 5000 }',
    "",
  );
  const services = [
    { name: "ThriftMetastore", methods: 110, parent: `${base.scope}.${base.service!}` },
    { name: "Notifications", methods: 10, parent: undefined },
    { name: "Replication", methods: 10, parent: undefined },
  ];
  for (const service of services) {
    lines.push(`/**`, ` * ${service.name}: ${sentence(random)}`, ` */`);
    lines.push(`service ${service.name}${service.parent === undefined ? "" : ` extends ${service.parent}`} {`);
    for (let m = 0; m < service.methods; m++) {
      const from = pick(random, included);
      const returns = random() < 0.2 ? "void" : random() < 0.5 ? pick(random, requests) : `list<${from.scope}.${pick(random, from.structs)}>`;
      const params = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, p) => {
        const type = p === 0 ? pick(random, requests) : random() < 0.5 ? "string" : `${from.scope}.${pick(random, from.structs)}`;
        return `${p + 1}: ${type} ${pick(random, words)}${p}`;
      });
      const throws = ` throws (1: ${from.scope}.${from.exceptions[0]} o1, 2: ${from.scope}.${from.exceptions[3]} o2)`;
      const hint = random() < 0.3 ? ' (rpc.idempotent = "true", rpc.timeout = "5000")' : "";
      lines.push(`  /**`, `   * ${sentence(random)}`, `   * ${sentence(random)}`, `   */`);
      lines.push(`  ${returns} ${pick(random, ["get", "list", "create", "alter", "drop", "find"])}${upper(pick(random, words))}${m}(${params.join(", ")})${throws}${hint},`);
    }
    lines.push(`} (version = "3.1.0")`, "");
  }
  return `${lines.join("\n")}\n`;
}

/** A sentence of documentation. */
function sentence(random: Random): string {
  return `The ${pick(random, words)} of the ${pick(random, words)} ${pick(random, phrases)}.`;
}

/** `PartitionRequest` → `partition request`. */
function splitWords(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The name of the first field of `struct` as written in `lines`. */
function firstField(lines: readonly string[], struct: string): string {
  const start = lines.indexOf(`struct ${struct} {`);
  const fieldLine = lines.slice(start + 1).find((l) => /^\s+1:/.test(l))!;
  return /\s(\w+),$/.exec(fieldLine)![1]!;
}

type Random = () => number;

/** A small deterministic generator (mulberry32), so the program is the same in every run. */
function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function upper(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

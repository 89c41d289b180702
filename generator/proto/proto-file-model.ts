import type { Field, FunctionDef, Service, Struct } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import type { ResolvedType } from "../model/resolved-type.js";
import type { ModelInputs } from "../model/ts-file-model.js";
import { NameScope } from "../name-scope.js";
import { ProtoFieldNames } from "./proto-field-names.js";
import { protoNumber } from "../proto-number.js";

/** One field line of a message. */
export interface ProtoFieldModel {
  /** `optional `, `repeated ` or empty. */
  label: string;
  type: string;
  name: string;
  number: string;
}

export interface ProtoMessageModel {
  comment: string | null;
  name: string;
  fields: ProtoFieldModel[];
  oneof: { name: string; fields: ProtoFieldModel[] } | null;
}

/** One `rpc` line of a service block: request and response as fully qualified message names. */
export interface ProtoRpcModel {
  name: string;
  request: string;
  response: string;
}

/** A service block, so gRPC and Connect clients can use the `.proto` as is (docs/PROTO-MAPPING.md). */
export interface ProtoServiceModel {
  name: string;
  /** Inherited methods first (root ancestor first), then the service's own, as the runtime serves them. */
  rpcs: ProtoRpcModel[];
}

export interface ProtoFileModel {
  source: string;
  package: string;
  imports: string[];
  messages: ProtoMessageModel[];
  services: ProtoServiceModel[];
}

/** The message names of one method: its rpcgen args and result, and its gRPC/Connect response. */
interface MethodMessageNames {
  args: string;
  result: string;
  response: string;
}

const scalarProtoTypes = {
  bool: "bool",
  i8: "int32",
  i16: "int32",
  i32: "int32",
  double: "double",
  string: "string",
  uuid: "string",
  binary: "bytes",
} as const;

/** A proto identifier from an IDL name (Thrift allows `.` in names, protobuf does not). */
function protoIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** The proto package of an IDL file: its scope, per docs/PROTO-MAPPING.md. */
export function protoPackage(file: ProgramFile): string {
  return protoIdentifier(file.scope);
}

/**
 * Builds `x.proto` for one IDL file by the rules of docs/PROTO-MAPPING.md:
 * every struct, union and exception, the args, result and response message of
 * each method the file's services declare, the container wrappers they use,
 * and a `service` block per service for gRPC and Connect clients.
 * Types are referenced by fully qualified name (`.pkg.Name`) so that no message
 * name can shadow another.
 */
export function protoFileModel(inputs: ModelInputs, file: ProgramFile): ProtoFileModel {
  return new ProtoFileBuilder(inputs, file).build();
}

class ProtoFileBuilder {
  private readonly pkg: string;
  private readonly messageNames = new NameScope();
  private readonly wrappers = new Map<string, ProtoMessageModel[]>();
  private readonly wrapperNames = new Map<string, string>();
  private readonly imports: string[] = [];
  /** Method message names per file: this file's, and those of files that declare inherited methods. */
  private readonly methodNamesByFile = new Map<ProgramFile, Map<FunctionDef, MethodMessageNames>>();

  constructor(
    private readonly inputs: ModelInputs,
    private readonly file: ProgramFile,
  ) {
    this.pkg = protoPackage(file);
  }

  build(): ProtoFileModel {
    const structs = structsOf(this.file);
    const methodNames = claimMethodMessages(this.file, this.messageNames);
    this.methodNamesByFile.set(this.file, methodNames);
    const messages: ProtoMessageModel[] = structs.map((s) => this.structMessage(s));
    for (const service of servicesOf(this.file)) {
      for (const method of service.functions) {
        const names = methodNames.get(method)!;
        const owner = service.name.name;
        messages.push(
          this.argsMessage(method, names.args, owner),
          this.resultMessage(method, names.result, owner),
          this.responseMessage(method, names.response, owner),
        );
      }
    }
    const services = servicesOf(this.file).map((service) => this.serviceBlock(service));
    const wrapperMessages = [...this.wrappers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([, list]) => list);
    // Only the includes whose messages are used (protoc warns about the others), in include order.
    const includeOrder = [...this.file.includes.values()].map((included) => this.inputs.paths.of(included, ".proto"));
    const imports = [
      ...includeOrder.filter((path) => this.imports.includes(path)),
      ...this.imports.filter((path) => !includeOrder.includes(path)),
    ];
    return {
      source: this.inputs.paths.sourceName(this.file),
      package: this.pkg,
      imports,
      messages: [...messages, ...wrapperMessages],
      services,
    };
  }

  private structMessage(struct: Struct): ProtoMessageModel {
    const name = protoIdentifier(struct.name.name);
    if (struct.kind === "union") {
      const members = this.fieldLines(struct.fields, "member");
      // protoc rejects an empty oneof; a union without fields has no bytes to describe.
      const oneof = members.length === 0 ? null : { name: uniqueAmong("value", members), fields: members };
      return { comment: null, name, fields: [], oneof };
    }
    return { comment: null, name, fields: this.fieldLines(struct.fields, "singular"), oneof: null };
  }

  private argsMessage(method: FunctionDef, name: string, service: string): ProtoMessageModel {
    return {
      comment: `Arguments of ${service}.${method.name.name}.`,
      name,
      fields: this.fieldLines(method.params, "singular"),
      oneof: null,
    };
  }

  private resultMessage(method: FunctionDef, name: string, service: string): ProtoMessageModel {
    const members: ProtoFieldModel[] = [];
    const names = new ProtoFieldNames();
    if (method.returnType.kind !== "void") {
      const type = this.inputs.resolver.resolve(this.file, method.returnType);
      members.push({ label: "", type: this.elementType(type), name: names.claim("success"), number: String(protoNumber(0)) });
    }
    for (const field of method.throws) {
      const type = this.fieldType(field);
      members.push({ label: "", type: this.elementType(type), name: names.claim(protoIdentifier(field.name.name)), number: String(protoNumber(field.id)) });
    }
    return {
      comment: `Outcome of ${service}.${method.name.name}: one member set (none for a successful void call).`,
      name,
      fields: [],
      oneof: members.length === 0 ? null : { name: uniqueAmong("outcome", members), fields: members },
    };
  }

  /**
   * The response of a gRPC or Connect call: the return value alone (declared
   * exceptions travel in the error details). Its bytes are those of a
   * successful `_result`, so one encoder serves both.
   */
  private responseMessage(method: FunctionDef, name: string, service: string): ProtoMessageModel {
    const fields: ProtoFieldModel[] = [];
    if (method.returnType.kind !== "void") {
      const type = this.inputs.resolver.resolve(this.file, method.returnType);
      const isScalar = type.kind === "scalar" || type.kind === "i64" || type.kind === "enum";
      fields.push({ label: isScalar ? "optional " : "", type: this.elementType(type), name: "success", number: String(protoNumber(0)) });
    }
    return { comment: `Response of ${service}.${method.name.name} over gRPC and Connect: the return value.`, name, fields, oneof: null };
  }

  /** `service S { rpc m(S_m_args) returns (S_m_response); ... }`, inherited methods included. */
  private serviceBlock(service: Service): ProtoServiceModel {
    const owners = [{ file: this.file, service }];
    const seen = new Set<Service>([service]);
    for (let current = owners[0]!; current.service.extends !== undefined; ) {
      const parent = this.inputs.program.resolveService(current.file, current.service.extends.name);
      if (parent === undefined || seen.has(parent.definition)) break;
      seen.add(parent.definition);
      current = { file: parent.file, service: parent.definition };
      owners.unshift(current);
    }
    const rpcs = new Map<string, ProtoRpcModel>();
    for (const owner of owners) {
      const names = this.methodNamesIn(owner.file);
      const pkg = protoPackage(owner.file);
      if (owner.file !== this.file) this.importFile(owner.file);
      for (const method of owner.service.functions) {
        const { args, response } = names.get(method)!;
        rpcs.delete(method.name.name);
        rpcs.set(method.name.name, { name: protoIdentifier(method.name.name), request: `.${pkg}.${args}`, response: `.${pkg}.${response}` });
      }
    }
    return { name: protoIdentifier(service.name.name), rpcs: [...rpcs.values()] };
  }

  private methodNamesIn(file: ProgramFile): Map<FunctionDef, MethodMessageNames> {
    let names = this.methodNamesByFile.get(file);
    if (names === undefined) {
      names = claimMethodMessages(file, new NameScope());
      this.methodNamesByFile.set(file, names);
    }
    return names;
  }

  private fieldLines(fields: readonly Field[], position: "singular" | "member"): ProtoFieldModel[] {
    const names = new ProtoFieldNames();
    return fields.map((field) => {
      const type = this.fieldType(field);
      const isScalar = type.kind === "scalar" || type.kind === "i64" || type.kind === "enum";
      return {
        label: isScalar && position === "singular" ? "optional " : "",
        type: this.elementType(type),
        name: names.claim(protoIdentifier(field.name.name)),
        number: String(protoNumber(field.id)),
      };
    });
  }

  private fieldType(field: Field): ResolvedType {
    return this.inputs.resolver.resolve(this.file, field.type, this.inputs.resolver.reprAnnotation(field.annotations));
  }

  /** E(T): the proto type of `type` in a field, element, key or value position. */
  private elementType(type: ResolvedType): string {
    switch (type.kind) {
      case "scalar":
        return scalarProtoTypes[type.name];
      case "i64":
        return "int64";
      case "enum":
        return "int32";
      case "struct":
        if (type.file !== this.file) this.importFile(type.file);
        return `.${protoPackage(type.file)}.${protoIdentifier(type.definition.name.name)}`;
      case "list":
      case "set":
      case "map":
        return `.${this.pkg}.${this.wrapper(type)}`;
    }
  }

  /** Thrift-style name of a type inside a wrapper name (`i32`, `Foo`, `shared_Foo`, `List_i32`). */
  private nameInWrapper(type: ResolvedType): string {
    switch (type.kind) {
      case "scalar":
        return type.name;
      case "i64":
        return "i64";
      case "enum":
      case "struct":
        return protoIdentifier(type.file === this.file ? type.definition.name.name : `${type.file.scope}_${type.definition.name.name}`);
      case "list":
      case "set":
      case "map":
        return this.wrapper(type);
    }
  }

  /** Declares (once) the wrapper message of a container type and returns its name. */
  private wrapper(type: ResolvedType & { kind: "list" | "set" | "map" }): string {
    const key = wrapperKey(type);
    const existing = this.wrapperNames.get(key);
    if (existing !== undefined) return existing;
    if (type.kind === "map") {
      const name = this.messageNames.claim(`Map_${this.nameInWrapper(type.key)}_${this.nameInWrapper(type.value)}`);
      this.wrapperNames.set(key, name);
      const entry = this.messageNames.claim(`${name}_Entry`);
      this.wrappers.set(name, [
        { comment: null, name, fields: [{ label: "repeated ", type: `.${this.pkg}.${entry}`, name: "entries", number: "1" }], oneof: null },
        {
          comment: null,
          name: entry,
          fields: [
            { label: "", type: this.elementType(type.key), name: "key", number: "1" },
            { label: "", type: this.elementType(type.value), name: "value", number: "2" },
          ],
          oneof: null,
        },
      ]);
      return name;
    }
    const name = this.messageNames.claim(`${type.kind === "list" ? "List" : "Set"}_${this.nameInWrapper(type.element)}`);
    this.wrapperNames.set(key, name);
    this.wrappers.set(name, [
      { comment: null, name, fields: [{ label: "repeated ", type: this.elementType(type.element), name: "items", number: "1" }], oneof: null },
    ]);
    return name;
  }

  /** Records that a message of `other` is used, so its .proto must be imported. */
  private importFile(other: ProgramFile): void {
    const path = this.inputs.paths.of(other, ".proto");
    if (!this.imports.includes(path)) this.imports.push(path);
  }
}

function structsOf(file: ProgramFile): Struct[] {
  return file.document.definitions.filter(
    (d): d is Struct => d.kind === "struct" || d.kind === "union" || d.kind === "exception",
  );
}

function servicesOf(file: ProgramFile): Service[] {
  return file.document.definitions.filter((d): d is Service => d.kind === "service");
}

/**
 * Claims the message names of a file in their fixed order (structs, services,
 * then per method `_args`, `_result`, `_response`), so that the names of a
 * file's method messages come out the same whichever file asks for them (a
 * child service in another file names its parent's messages).
 */
function claimMethodMessages(file: ProgramFile, scope: NameScope): Map<FunctionDef, MethodMessageNames> {
  for (const struct of structsOf(file)) scope.claim(protoIdentifier(struct.name.name));
  // Services share the package's namespace with messages: no message may take a service's name.
  for (const service of servicesOf(file)) scope.claim(protoIdentifier(service.name.name));
  const names = new Map<FunctionDef, MethodMessageNames>();
  for (const service of servicesOf(file)) {
    for (const method of service.functions) {
      const base = protoIdentifier(`${service.name.name}_${method.name.name}`);
      names.set(method, {
        args: scope.claim(`${base}_args`),
        result: scope.claim(`${base}_result`),
        response: scope.claim(`${base}_response`),
      });
    }
  }
  return names;
}

/** A structural key of a container type; i64 representations do not change the bytes. */
function wrapperKey(type: ResolvedType): string {
  switch (type.kind) {
    case "scalar":
      return type.name;
    case "i64":
      return "i64";
    case "enum":
    case "struct":
      return `${type.kind}:${type.file.path}#${type.definition.name.name}`;
    case "list":
    case "set":
      return `${type.kind}<${wrapperKey(type.element)}>`;
    case "map":
      return `map<${wrapperKey(type.key)},${wrapperKey(type.value)}>`;
  }
}

/** `base`, or `base_`, `base__`, ... so a oneof name differs from every member's name. */
function uniqueAmong(base: string, members: readonly ProtoFieldModel[]): string {
  return new NameScope(members.map((m) => m.name)).claim(base);
}

import type { Field, FunctionDef, Struct } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import type { ResolvedType } from "../model/resolved-type.js";
import type { ModelInputs } from "../model/ts-file-model.js";
import { NameScope } from "../name-scope.js";
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

export interface ProtoFileModel {
  source: string;
  package: string;
  imports: string[];
  messages: ProtoMessageModel[];
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
 * every struct, union and exception, the args and result message of each
 * method the file's services declare, and the container wrappers they use.
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

  constructor(
    private readonly inputs: ModelInputs,
    private readonly file: ProgramFile,
  ) {
    this.pkg = protoPackage(file);
  }

  build(): ProtoFileModel {
    const structs = this.file.document.definitions.filter(
      (d): d is Struct => d.kind === "struct" || d.kind === "union" || d.kind === "exception",
    );
    for (const struct of structs) this.messageNames.claim(protoIdentifier(struct.name.name));
    const methodMessages: { method: FunctionDef; args: string; result: string; service: string }[] = [];
    for (const definition of this.file.document.definitions) {
      if (definition.kind !== "service") continue;
      for (const method of definition.functions) {
        const base = protoIdentifier(`${definition.name.name}_${method.name.name}`);
        methodMessages.push({
          method,
          service: definition.name.name,
          args: this.messageNames.claim(`${base}_args`),
          result: this.messageNames.claim(`${base}_result`),
        });
      }
    }
    const messages: ProtoMessageModel[] = structs.map((s) => this.structMessage(s));
    for (const { method, args, result, service } of methodMessages) {
      messages.push(this.argsMessage(method, args, service), this.resultMessage(method, result, service));
    }
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
    };
  }

  private structMessage(struct: Struct): ProtoMessageModel {
    const name = protoIdentifier(struct.name.name);
    if (struct.kind === "union") {
      const members = this.fieldLines(struct.fields, "member");
      return { comment: null, name, fields: [], oneof: { name: uniqueAmong("value", members), fields: members } };
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
    const names = new NameScope();
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

  private fieldLines(fields: readonly Field[], position: "singular" | "member"): ProtoFieldModel[] {
    const names = new NameScope();
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

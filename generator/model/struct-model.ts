import type { Field, Struct } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import { protoNumber } from "../proto-number.js";
import { propertyAccess, propertyKey } from "../safe-identifier.js";
import { DocBuilder } from "./doc-lines.js";
import type { FileContext } from "./file-context.js";
import { fieldProperties } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import type { FieldDescriptorModel, MemberModel, StructDescriptorModel, StructModel } from "./template-model.js";
import { descriptorExpression, tsType } from "./type-expressions.js";

/** `<file scope>.<Name>`, the qualified IDL name descriptors carry. */
export function qualifiedName(file: ProgramFile, name: string): string {
  return `${file.scope}.${name}`;
}

/** A FieldDescriptor literal's parts for `field` (declared in `ctx.file`), with the given JS property. */
export function fieldDescriptor(ctx: FileContext, field: Field, jsName: string, id = field.id): FieldDescriptorModel {
  const type = ctx.fieldType(field);
  const defaultValue =
    field.defaultValue === undefined
      ? null
      : `(): ${tsType(type, ctx.imports)} => ${ctx.consts.expression(field.defaultValue, type, ctx.file)}`;
  return {
    id: String(id),
    name: JSON.stringify(field.name.name),
    jsName: JSON.stringify(jsName),
    protoNumber: String(protoNumber(id)),
    type: descriptorExpression(type, ctx.imports),
    requiredness: JSON.stringify(field.requiredness),
    defaultValue,
  };
}

/** Builds the declarations of one struct, union or exception. */
export function structModel(ctx: FileContext, struct: Struct): StructModel {
  const names = FileNames.of(ctx.file).type(struct.name.name);
  const properties = fieldProperties(struct, (f) => ctx.isStringField(f));
  const members: MemberModel[] = struct.fields.map((field) => {
    const property = properties.get(field)!;
    const type = ctx.fieldType(field);
    return {
      docLines: new DocBuilder(field.doc).deprecated(field.annotations).lines(),
      key: propertyKey(property),
      optional: field.requiredness !== "required" || struct.kind === "union",
      tsType: tsType(type, ctx.imports),
      source: propertyAccess("fields", property),
      target: propertyAccess("this", property),
      defaultExpr: field.defaultValue === undefined ? null : ctx.consts.expression(field.defaultValue, type, ctx.file),
    };
  });
  const descriptor: StructDescriptorModel = {
    name: JSON.stringify(qualifiedName(ctx.file, struct.name.name)),
    kind: JSON.stringify(struct.kind),
    fields: struct.fields.map((field) => fieldDescriptor(ctx, field, properties.get(field)!)),
    exceptionClass: struct.kind === "exception" ? names.type : null,
  };
  const defaultedRequired = struct.fields
    .filter((f) => f.requiredness === "required" && f.defaultValue !== undefined)
    .map((f) => JSON.stringify(properties.get(f)!));
  const initType =
    defaultedRequired.length === 0
      ? names.type
      : `Omit<${names.type}, ${defaultedRequired.join(" | ")}> & Partial<Pick<${names.type}, ${defaultedRequired.join(" | ")}>>`;
  return {
    isStruct: struct.kind === "struct",
    isUnion: struct.kind === "union",
    isException: struct.kind === "exception",
    docLines: new DocBuilder(struct.doc).deprecated(struct.annotations).lines(),
    typeName: names.type,
    members,
    variants:
      struct.kind !== "union"
        ? []
        : members.map((_, selected) => ({
            members: members.map((m, i) => ({ docLines: m.docLines, key: m.key, tsType: m.tsType, selected: i === selected })),
          })),
    exception: struct.kind === "exception" ? exceptionModel(ctx, struct, members, properties) : null,
    descriptorName: names.descriptor,
    descriptorType: ctx.imports.runtimeType("StructDescriptor"),
    descriptor,
    createName: names.create,
    initType,
    defaulted: members.filter((m) => m.defaultExpr !== null),
    validateName: names.validate,
    assertFunction: ctx.imports.runtimeValue("assertValidStruct"),
    rootPath: JSON.stringify(struct.name.name),
  };
}

function exceptionModel(
  ctx: FileContext,
  struct: Struct,
  members: MemberModel[],
  properties: ReadonlyMap<Field, string>,
): StructModel["exception"] {
  const messageIndex = struct.fields.findIndex((f) => properties.get(f) === "message");
  const message = messageIndex >= 0 ? members[messageIndex]! : undefined;
  const paramMembers = members.map((m) => `${m.key}${m.optional || m.defaultExpr !== null ? "?" : ""}: ${m.tsType}`);
  return {
    superArgument: message === undefined ? "" : withDefault(message),
    paramType: `{ ${paramMembers.join("; ")} }`,
    paramOptional: members.every((m) => m.optional || m.defaultExpr !== null),
    properties: members.filter((m) => m !== message).map((m) => ({ ...m, source: withDefault(m) })),
    idlName: JSON.stringify(struct.name.name),
    baseClass: ctx.imports.runtimeValue("DeclaredException"),
  };
}

function withDefault(member: MemberModel): string {
  return member.defaultExpr === null ? member.source : `${member.source} ?? ${member.defaultExpr}`;
}

import type { Field, Struct } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import { arrayOfObjects, type Entry, fragment, parenthesizedList } from "../layout/code-docs.js";
import { stringLiteral } from "../layout/literals.js";
import { propertyAccess, propertyKey } from "../safe-identifier.js";
import { DocBuilder } from "./doc-lines.js";
import { exceptionModel } from "./exception-model.js";
import type { FileContext } from "./file-context.js";
import { fieldProperties } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import type { MemberModel, StructModel, UnionVariantModel } from "./template-model.js";
import { descriptorDoc, tsType } from "./type-expressions.js";

/** `<file scope>.<Name>`, the qualified IDL name descriptors carry. */
export function qualifiedName(file: ProgramFile, name: string): string {
  return `${file.scope}.${name}`;
}

/**
 * The entries of a field's FieldInit (see runtime/define-descriptors.ts): what
 * equals its default is left out (`jsName` equal to the name, requiredness
 * "default"), and the protobuf number, derived from the id, is never written.
 */
export function fieldInit(ctx: FileContext, field: Field, jsName: string): Entry[] {
  const type = ctx.fieldType(field);
  const entries: Entry[] = [
    ["id", String(field.id)],
    ["name", stringLiteral(field.name.name)],
  ];
  if (jsName !== field.name.name) entries.push(["jsName", stringLiteral(jsName)]);
  entries.push(["type", descriptorDoc(type, ctx.imports)]);
  if (field.requiredness !== "default") entries.push(["requiredness", stringLiteral(field.requiredness)]);
  if (field.defaultValue !== undefined) {
    const value = ctx.consts.expression(field.defaultValue, type, ctx.file);
    // An object literal as an arrow's body needs parentheses, or it is read as a block.
    const body = value.startsWith("{") ? `(${value})` : value;
    entries.push(["defaultValue", `(): ${tsType(type, ctx.imports)} => ${body}`]);
  }
  return entries;
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
  const defaultedRequired = struct.fields
    .filter((f) => f.requiredness === "required" && f.defaultValue !== undefined)
    .map((f) => stringLiteral(properties.get(f)!));
  const initType =
    defaultedRequired.length === 0
      ? names.type
      : `Omit<${names.type}, ${defaultedRequired.join(" | ")}> & Partial<Pick<${names.type}, ${defaultedRequired.join(" | ")}>>`;
  const variants = struct.kind === "union" ? unionVariants(members) : [];
  const descriptorName = names.descriptor;
  return {
    isStruct: struct.kind === "struct",
    isUnion: struct.kind === "union",
    isException: struct.kind === "exception",
    docLines: new DocBuilder(struct.doc).deprecated(struct.annotations).lines(),
    typeName: names.type,
    members,
    variants: variants.length > 1 ? variants : [],
    singleVariant: variants.length === 1 ? variants[0]! : null,
    exception: struct.kind === "exception" ? exceptionModel(ctx, struct, members, properties) : null,
    descriptorName,
    descriptorType: ctx.imports.runtimeType("StructDescriptor"),
    defineStruct: ctx.imports.runtimeValue("defineStruct"),
    descriptor: {
      name: stringLiteral(qualifiedName(ctx.file, struct.name.name)),
      kind: stringLiteral(struct.kind),
      fields: fragment(["fields: ", arrayOfObjects(struct.fields.map((f) => fieldInit(ctx, f, properties.get(f)!))), ","], 2),
      exceptionClass: struct.kind === "exception" ? names.type : null,
    },
    createSignature: fragment(
      ["export function ", names.create, parenthesizedList([`fields: ${initType}`]), `: ${names.type} {`],
      0,
    ),
    defaulted: members.filter((m) => m.defaultExpr !== null),
    validateSignature: fragment(
      [
        "export function ",
        names.validate,
        parenthesizedList(["value: unknown", `path = ${stringLiteral(struct.name.name)}`]),
        `: asserts value is ${names.type} {`,
      ],
      0,
    ),
    validateBody: fragment([ctx.imports.runtimeValue("assertValidStruct"), parenthesizedList([descriptorName, "value", "path"]), ";"], 2),
  };
}

/** One variant per field: that field set, every other one `?: never`. */
function unionVariants(members: readonly MemberModel[]): UnionVariantModel[] {
  return members.map((_, selected) => ({
    members: members.map((m, i) => ({ docLines: m.docLines, key: m.key, tsType: m.tsType, selected: i === selected })),
  }));
}

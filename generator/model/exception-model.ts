import type { Field, Struct } from "../../idl/ast.js";
import { stringLiteral } from "../layout/literals.js";
import type { FileContext } from "./file-context.js";
import type { ResolvedType } from "./resolved-type.js";
import type { ExceptionModel, ExceptionPropertyModel, MemberModel } from "./template-model.js";

/**
 * The class of an IDL exception. Its message is the `message` field when the
 * exception has a string one, else a summary of its scalar fields
 * (`code: 404, resource: users/7`), so a logged exception says more than its
 * class name.
 */
export function exceptionModel(
  ctx: FileContext,
  struct: Struct,
  members: readonly MemberModel[],
  properties: ReadonlyMap<Field, string>,
): ExceptionModel {
  const messageIndex = struct.fields.findIndex((f) => properties.get(f) === "message");
  const message = messageIndex >= 0 ? members[messageIndex]! : undefined;
  const paramMembers = members.map((m) => `${m.key}${m.optional || m.defaultExpr !== null ? "?" : ""}: ${m.tsType}`);
  const paramOptional = members.every((m) => m.optional || m.defaultExpr !== null);
  const parameter = `fields: { ${paramMembers.join("; ")} }${paramOptional ? " = {}" : ""}`;
  return {
    // Written on one line: prettier lays a long one out by rules of its own (it hugs a lone object type),
    // and the formatting pass hands any line that does not fit to prettier. An exception without fields
    // ignores the codec's (empty) fields object.
    constructorSignature: `constructor(${members.length === 0 ? "" : parameter}) {`,
    superArgument: message === undefined ? summary(ctx, struct, members) : withDefault(message),
    properties: members
      .filter((m) => m !== message)
      .map((m): ExceptionPropertyModel => ({
        ...m,
        propertyType: m.optional && m.defaultExpr === null ? `${m.tsType} | undefined` : m.tsType,
        value: withDefault(m),
      })),
    idlName: stringLiteral(struct.name.name),
    baseClass: ctx.imports.runtimeValue("DeclaredException"),
  };
}

/** A template literal listing the scalar fields by IDL name, or "" when there are none. */
function summary(ctx: FileContext, struct: Struct, members: readonly MemberModel[]): string {
  const parts: string[] = [];
  struct.fields.forEach((field, index) => {
    if (!readsWellInText(ctx.fieldType(field))) return;
    parts.push(`${field.name.name}: \${${withDefault(members[index]!)}}`);
  });
  return parts.length === 0 ? "" : `\`${parts.join(", ")}\``;
}

/** Numbers, strings, bools, uuids and enums; not bytes, structs or containers. */
function readsWellInText(type: ResolvedType): boolean {
  return type.kind === "i64" || type.kind === "enum" || (type.kind === "scalar" && type.name !== "binary");
}

function withDefault(member: MemberModel): string {
  return member.defaultExpr === null ? member.source : `${member.source} ?? ${member.defaultExpr}`;
}

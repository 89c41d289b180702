import type { CstNode } from "chevrotain";
import type { Annotation, BaseTypeName, TypeRef } from "../ast.js";
import type { BuildContext } from "./build-context.js";
import { firstToken, nodesOf } from "./cst-access.js";

/** A type from a `fieldType` node; undefined when recovery left nothing usable. */
export function buildTypeRef(context: BuildContext, node: CstNode | undefined): TypeRef | undefined {
  if (node === undefined) return undefined;
  const range = context.nodeRange(node);
  const annotations = buildAnnotations(context, node);
  const base = firstToken(node, "baseType");
  if (base !== undefined) return { kind: "base", range, name: base.image as BaseTypeName, annotations };
  const named = firstToken(node, "namedType");
  if (named !== undefined) return { kind: "named", range, name: named.image, annotations };

  const map = nodesOf(node, "mapType")[0];
  if (map !== undefined) {
    const key = buildTypeRef(context, nodesOf(map, "keyType")[0]);
    const value = buildTypeRef(context, nodesOf(map, "valueType")[0]);
    if (key === undefined || value === undefined) return undefined;
    return { kind: "map", range, key, value, annotations: [...cppTypes(context, map), ...annotations] };
  }
  for (const kind of ["set", "list"] as const) {
    const container = nodesOf(node, `${kind}Type`)[0];
    if (container === undefined) continue;
    const element = buildTypeRef(context, nodesOf(container, "elementType")[0]);
    if (element === undefined) return undefined;
    return { kind, range, element, annotations: [...cppTypes(context, container), ...annotations] };
  }
  return undefined;
}

/** The `( ... )` annotations directly under `owner`. */
export function buildAnnotations(context: BuildContext, owner: CstNode): Annotation[] {
  const list = nodesOf(owner, "annotations")[0];
  if (list === undefined) return [];
  const result: Annotation[] = [];
  for (const node of nodesOf(list, "annotation")) {
    const key = firstToken(node, "key");
    if (key === undefined) continue;
    const value = context.stringValue(firstToken(node, "value"));
    result.push({ range: context.nodeRange(node), key: key.image, value });
  }
  return result;
}

/** `cpp_type "..."` on a container, kept as an annotation named `cpp_type`. */
function cppTypes(context: BuildContext, container: CstNode): Annotation[] {
  const result: Annotation[] = [];
  for (const cppType of nodesOf(container, "cppType")) {
    const value = context.stringValue(firstToken(cppType, "StringLiteral"));
    if (value !== undefined) result.push({ range: context.nodeRange(cppType), key: "cpp_type", value });
  }
  return result;
}

import type { CstNode, IToken } from "chevrotain";
import type { ConstValue, IntConst, MapConstEntry } from "../ast.js";
import type { BuildContext } from "./build-context.js";
import { firstToken, nodesOf } from "./cst-access.js";
import { doubleLiteralValue, integerLiteralValue } from "./number-literals.js";
import { InvalidNumber } from "./tokens.js";

/** A constant value from a `constValue` node; undefined when recovery left nothing usable. */
export function buildConstValue(context: BuildContext, node: CstNode | undefined): ConstValue | undefined {
  if (node === undefined) return undefined;
  const integer = firstToken(node, "IntegerLiteral");
  if (integer !== undefined) return buildIntConst(context, integer);
  const double = firstToken(node, "DoubleLiteral");
  if (double !== undefined) {
    return {
      kind: "double",
      range: context.tokenRange(double),
      value: doubleLiteralValue(double.image),
      text: double.image,
    };
  }
  const string = firstToken(node, "StringLiteral");
  if (string !== undefined)
    return { kind: "string", range: context.tokenRange(string), value: context.stringValue(string)! };
  const boolean = firstToken(node, "True") ?? firstToken(node, "False");
  if (boolean !== undefined)
    return { kind: "bool", range: context.tokenRange(boolean), value: boolean.image === "true" };
  const reference = firstToken(node, "Identifier");
  if (reference !== undefined)
    return { kind: "identifier", range: context.tokenRange(reference), name: reference.image };

  const list = nodesOf(node, "constList")[0];
  if (list !== undefined) {
    const elements = nodesOf(list, "constValue")
      .map((element) => buildConstValue(context, element))
      .filter((element) => element !== undefined);
    return { kind: "list", range: context.nodeRange(list), elements };
  }
  const map = nodesOf(node, "constMap")[0];
  if (map !== undefined) {
    const entries: MapConstEntry[] = [];
    for (const entry of nodesOf(map, "constMapEntry")) {
      const key = buildConstValue(context, nodesOf(entry, "key")[0]);
      const value = buildConstValue(context, nodesOf(entry, "value")[0]);
      if (key !== undefined && value !== undefined) entries.push({ range: context.nodeRange(entry), key, value });
    }
    return { kind: "map", range: context.nodeRange(map), entries };
  }
  return undefined;
}

/** An integer literal token as an exact bigint constant. */
export function buildIntConst(context: BuildContext, token: IToken): IntConst {
  // A malformed number was reported by the lexer; 0 keeps the rest of the tree usable.
  const value = token.tokenType === InvalidNumber ? 0n : integerLiteralValue(token.image);
  return { kind: "int", range: context.tokenRange(token), value, text: token.image };
}

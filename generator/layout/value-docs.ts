import {
  breakParent,
  conditionalGroup,
  type Doc,
  fill,
  group,
  ifBreak,
  indent,
  join,
  line,
  softline,
  willBreak,
} from "./doc.js";

/**
 * Layout documents for constant values (literals, arrays, object literals,
 * `createX({...})`, `new Map<K, V>([...])`), built as prettier's printer
 * builds them, so that a constant of any shape is laid out as prettier lays
 * it out. Each value records the shape of its expression, which the rules of
 * the expression around it look at.
 */
export interface ValueDoc {
  readonly doc: Doc;
  /**
   * What kind of expression it is (an array of numbers is a kind of its own:
   * prettier fills its lines) and how many elements or entries it has.
   */
  readonly shape: { readonly kind: "object" | "array" | "numbers" | "number" | "other"; readonly size: number };
}

/** A literal or a name: a number literal (signed or not) is told apart, for arrays of numbers. */
export function atomValue(text: string): ValueDoc {
  const isNumber = /^-?(?:\d|\.\d)/.test(text) && !text.endsWith("n");
  return { doc: text, shape: { kind: isNumber ? "number" : "other", size: 0 } };
}

/**
 * `[a, b]`: one line if it fits, else one element per line; an array of two
 * or more objects (or arrays) with two or more entries each always breaks; an
 * array of numbers fills its lines (prettier's printArray).
 */
export function arrayValue(items: readonly ValueDoc[]): ValueDoc {
  if (items.length === 0) return { doc: "[]", shape: { kind: "array", size: 0 } };
  const first = expressionType(items[0]!);
  const alwaysBroken =
    items.length > 1 && first !== "other" && items.every((item) => expressionType(item) === first && item.shape.size > 1);
  if (items.length > 1 && items.every((item) => item.shape.kind === "number")) {
    const id = Symbol("array");
    const parts: Doc[] = [];
    items.forEach((item, index) => {
      const isLast = index === items.length - 1;
      parts.push([item.doc, isLast ? ifBreak(",", "", id) : ","]);
      if (!isLast) parts.push(line);
    });
    const doc = group(["[", indent([softline, fill(parts)]), softline, "]"], alwaysBroken, id);
    return { doc, shape: { kind: "numbers", size: items.length } };
  }
  const elements = join([",", line], items.map((item) => item.doc));
  const doc = group(["[", indent([softline, elements, ifBreak(",")]), softline, "]"], alwaysBroken);
  return { doc, shape: { kind: "array", size: items.length } };
}

/** `{ key: value }`: one line if it fits, else one entry per line (prettier's printObject, written without a line break). */
export function objectValue(entries: readonly (readonly [key: string, value: ValueDoc])[]): ValueDoc {
  const shape = { kind: "object", size: entries.length } as const;
  if (entries.length === 0) return { doc: "{}", shape };
  const members = join(
    [",", line],
    entries.map(([key, value]) => [key, ": ", value.doc]),
  );
  return { doc: group(["{", indent([line, members]), ifBreak(","), line, "}"]), shape };
}

/**
 * `callee<T>(args)`, `new`-prefixed or not, with prettier's printCallArguments:
 * a last argument that is a non-empty object or array is hugged
 * (`createX({` ... `})`) when the arguments do not fit on one line.
 */
export function callValue(callee: string, typeArguments: readonly string[], args: readonly ValueDoc[]): ValueDoc {
  return { doc: [callee, typeArgumentsDoc(typeArguments), callArguments(args)], shape: { kind: "other", size: 0 } };
}

/** Type arguments as prettier prints them in an expression: a lone keyword or name hugged, else a group. */
function typeArgumentsDoc(types: readonly string[]): Doc {
  if (types.length === 0) return "";
  if (types.length === 1 && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(types[0]!)) return `<${types[0]}>`;
  return group(["<", indent([softline, join([",", line], types)]), softline, ">"]);
}

function callArguments(args: readonly ValueDoc[]): Doc {
  if (args.length === 0) return "()";
  const printed: Doc[] = args.map((arg, index) => (index === args.length - 1 ? arg.doc : [arg.doc, ",", line]));
  const allBrokenOut = group(["(", indent([line, ...printed]), ifBreak(","), line, ")"], true);
  const last = args[args.length - 1]!;
  const penultimate = args[args.length - 2];
  const lastType = expressionType(last);
  const hugsLast =
    lastType !== "other" &&
    last.shape.size > 0 &&
    (penultimate === undefined || expressionType(penultimate) !== lastType) &&
    !(args.length > 1 && last.shape.kind === "numbers");
  if (!hugsLast) return group(["(", indent([softline, ...printed]), ifBreak(","), softline, ")"]);
  const leading = printed.slice(0, -1);
  if (leading.some(willBreak)) return allBrokenOut;
  const hugged = ["(", ...leading, group(last.doc, true), ")"];
  if (willBreak(last.doc)) return [breakParent, conditionalGroup([hugged, allBrokenOut])];
  return conditionalGroup([["(", ...leading, last.doc, ")"], hugged, allBrokenOut]);
}

/** The syntax node type prettier compares: object literal, array literal or anything else. */
function expressionType(value: ValueDoc): "object" | "array" | "other" {
  const { kind } = value.shape;
  return kind === "object" ? "object" : kind === "array" || kind === "numbers" ? "array" : "other";
}

import { type Doc, group, ifBreak, indent, join, line, softline } from "./doc.js";
import { printDoc } from "./print-doc.js";

/**
 * Layout documents for the constructs generated code is made of, each built as
 * prettier's TypeScript printer builds it (with `trailingComma: "all"` and
 * `bracketSpacing`), so their printed form is prettier's. A template places
 * each printed fragment at the start of a line, at the indentation the
 * fragment was printed for; a fragment holds everything up to the end of its
 * line, since whether a group fits depends on what follows it.
 */

/** One `key: value` entry of an object literal or type. */
export type Entry = readonly [key: string, value: Doc];

/**
 * `{ a: 1, b: 2 }`, broken one entry per line when it does not fit.
 * `expanded` writes it broken whatever the width, as prettier keeps an object
 * that was written with a line break after its `{`.
 */
export function objectDoc(entries: readonly Entry[], expanded = false): Doc {
  if (entries.length === 0) return "{}";
  const members = entries.map(([key, value]) => [key, ": ", value]);
  return group(["{", indent([line, join([",", line], members)]), ifBreak(","), line, "}"], expanded);
}

/**
 * `[a, b]`, broken one element per line when it does not fit. Like prettier,
 * an array of two or more objects that have two or more entries each is
 * always broken.
 */
export function arrayDoc(elements: readonly Doc[], objectEntryCounts?: readonly number[]): Doc {
  if (elements.length === 0) return "[]";
  const counts = objectEntryCounts ?? [];
  const alwaysBroken = elements.length > 1 && counts.length === elements.length && counts.every((n) => n > 1);
  return group(["[", indent([softline, join([",", line], elements)]), ifBreak(","), softline, "]"], alwaysBroken);
}

/** `(a, b)` of a call or a parameter list, broken one per line (with a trailing comma) when it does not fit. */
export function parenthesizedList(items: readonly Doc[]): Doc {
  if (items.length === 0) return "()";
  return group(["(", indent([softline, join([",", line], items)]), ifBreak(","), softline, ")"]);
}

/**
 * `<T>` after a type name in an expression (`x as Promise<T>`): a group that
 * can break around `T`, except, as prettier has it, around a keyword or a
 * plain type name, which stays hugged.
 */
export function typeArguments(type: string): Doc {
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(type)) return `<${type}>`;
  return group(["<", indent([softline, type]), softline, ">"]);
}

/** An array of objects, each given as its entries (see arrayDoc). */
export function arrayOfObjects(objects: readonly (readonly Entry[])[]): Doc {
  return arrayDoc(
    objects.map((entries) => objectDoc(entries)),
    objects.map((entries) => entries.length),
  );
}

/** Prints a fragment for a template line indented by `column` spaces (see printDoc). */
export function fragment(doc: Doc, column: number): string {
  return printDoc(doc, column);
}

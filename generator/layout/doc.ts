/**
 * Layout documents: the subset of prettier's document language that generated
 * code needs (groups that print on one line when they fit and break their
 * lines otherwise, indentation, fills, conditional groups that try a few
 * layouts in turn). Code built from these and printed by print-doc.ts comes
 * out exactly as prettier would format it, so generation need not run
 * prettier over it.
 */
export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak | BreakParent | Fill;

export interface Group {
  readonly kind: "group";
  readonly contents: Doc;
  /** Broken whatever the width: prettier keeps an object literal expanded when it was written so. */
  readonly expanded: boolean;
  /** Layouts to try in turn when the flat one does not fit (prettier's conditionalGroup); the first is `contents`. */
  readonly expandedStates: readonly Doc[] | undefined;
  /** Names the group for `ifBreak` elsewhere. */
  readonly id: symbol | undefined;
}

export interface Indent {
  readonly kind: "indent";
  readonly contents: Doc;
}

/** A line break when its group breaks; otherwise a space (`line`) or nothing (`softline`). `hard` always breaks. */
export interface Line {
  readonly kind: "line";
  readonly soft: boolean;
  readonly hard: boolean;
}

/** `broken` when the group (the enclosing one, or the one named `groupId`) is broken, else `flat`. */
export interface IfBreak {
  readonly kind: "ifBreak";
  readonly broken: Doc;
  readonly flat: Doc;
  readonly groupId: symbol | undefined;
}

/** Breaks the enclosing group. */
export interface BreakParent {
  readonly kind: "breakParent";
}

/** Contents and separators alternately: each separator breaks only when the next content would not fit. */
export interface Fill {
  readonly kind: "fill";
  readonly parts: readonly Doc[];
}

export const line: Line = { kind: "line", soft: false, hard: false };
export const softline: Line = { kind: "line", soft: true, hard: false };
export const hardline: Line = { kind: "line", soft: false, hard: true };
export const breakParent: BreakParent = { kind: "breakParent" };

export function group(contents: Doc, expanded = false, id?: symbol): Group {
  return { kind: "group", contents, expanded, expandedStates: undefined, id };
}

/** Tries `states` in turn: the first flat, the others as written (prettier's conditionalGroup). */
export function conditionalGroup(states: readonly Doc[]): Group {
  return { kind: "group", contents: states[0]!, expanded: false, expandedStates: states, id: undefined };
}

export function indent(contents: Doc): Indent {
  return { kind: "indent", contents };
}

export function ifBreak(broken: Doc, flat: Doc = "", groupId?: symbol): IfBreak {
  return { kind: "ifBreak", broken, flat, groupId };
}

export function fill(parts: readonly Doc[]): Fill {
  return { kind: "fill", parts };
}

/** `docs` with `separator` between each two. */
export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const joined: Doc[] = [];
  docs.forEach((doc, index) => {
    if (index > 0) joined.push(separator);
    joined.push(doc);
  });
  return joined;
}

/** Whether `doc` holds a forced break (prettier's willBreak). */
export function willBreak(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) return doc.some(willBreak);
  const node = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (node.kind) {
    case "group":
      return node.expanded || willBreak(node.contents);
    case "indent":
      return willBreak(node.contents);
    case "line":
      return node.hard;
    case "breakParent":
      return true;
    case "ifBreak":
      return willBreak(node.broken) || willBreak(node.flat);
    case "fill":
      return node.parts.some(willBreak);
  }
}

/**
 * The text of `doc` with every group flat: what it prints as when it fits on
 * one line. `cache` keeps the text of each group met, for callers that ask
 * about nested groups too.
 */
export function flatText(doc: Doc, cache?: Map<Group, string>): string {
  if (typeof doc === "string") return doc;
  if (Array.isArray(doc)) {
    // Indexed loops: this runs mostly before V8 optimizes it, where for-of costs an iterator.
    const parts = doc as readonly Doc[];
    let text = "";
    for (let i = 0; i < parts.length; i++) text += flatText(parts[i]!, cache);
    return text;
  }
  const node = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (node.kind) {
    case "group": {
      const known = cache?.get(node);
      if (known !== undefined) return known;
      const text = flatText(node.contents, cache);
      cache?.set(node, text);
      return text;
    }
    case "indent":
      return flatText(node.contents, cache);
    case "ifBreak":
      return flatText(node.flat, cache);
    case "line":
      return node.soft ? "" : " ";
    case "breakParent":
      return "";
    case "fill": {
      let text = "";
      for (let i = 0; i < node.parts.length; i++) text += flatText(node.parts[i]!, cache);
      return text;
    }
  }
}

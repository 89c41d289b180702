import { type Doc, type Fill, flatText, type Group } from "./doc.js";

/** prettier's `printWidth` for generated code (see format.ts). */
export const PRINT_WIDTH = 100;

const BREAK = 0;
const FLAT = 1;
type Mode = typeof BREAK | typeof FLAT;

interface Command {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc | FillRest;
}

/** The parts of a fill from `offset` on, still to print. */
interface FillRest {
  readonly kind: "fillRest";
  readonly fill: Fill;
  readonly offset: number;
}

/**
 * Prints `doc` the way prettier's printer does (its printDocToString, for the
 * documents of doc.ts): a group prints flat when it and the rest of its line
 * fit in the width, else broken; a conditional group tries its layouts in
 * turn; a fill breaks only where the next part would not fit. `column` is
 * where the first line starts (the indentation the template gives it); later
 * lines are indented from there. Strings are measured by length: text that is
 * not ASCII is left to prettier (see format.ts).
 */
export function printDoc(doc: Doc, column: number, width = PRINT_WIDTH): string {
  const { broken, breaksInside, forced } = propagateBreaks(doc);
  const flatTexts = new Map<Group, string>();
  // Most fragments fit on their line: then every group is flat, and the text is all there is to it.
  if (!forced) {
    const text = flatText(doc, flatTexts);
    if (column + text.length <= width) return text;
  }
  const state: PrintState = {
    broken,
    breaksInside,
    groupModes: new Map(),
    flatText: (group) => flatTexts.get(group) ?? flatText(group, flatTexts),
  };
  const out: string[] = [];
  let position = column;
  const commands: Command[] = [{ indent: column, mode: BREAK, doc }];
  while (commands.length > 0) {
    const { indent, mode, doc: current } = commands.pop()!;
    if (typeof current === "string") {
      out.push(current);
      position += current.length;
      continue;
    }
    if (isDocArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) commands.push({ indent, mode, doc: current[i]! });
      continue;
    }
    switch (current.kind) {
      case "indent":
        commands.push({ indent: indent + 2, mode, doc: current.contents });
        break;
      case "group": {
        const command = groupCommand(current, indent, mode, width - position, commands, state);
        if (current.id !== undefined) state.groupModes.set(current.id, command.mode);
        if (command.mode === FLAT && command.doc === current.contents && !state.breaksInside.has(current)) {
          // A flat group is its flat text: no need to walk it again.
          const text = state.flatText(current);
          out.push(text);
          position += text.length;
        } else {
          commands.push(command);
        }
        break;
      }
      case "fill":
        printFill({ kind: "fillRest", fill: current, offset: 0 }, indent, mode, width - position, commands, state);
        break;
      case "fillRest":
        printFill(current, indent, mode, width - position, commands, state);
        break;
      case "ifBreak": {
        const groupMode = current.groupId === undefined ? mode : (state.groupModes.get(current.groupId) ?? FLAT);
        commands.push({ indent, mode, doc: groupMode === BREAK ? current.broken : current.flat });
        break;
      }
      case "line":
        if (mode === FLAT && !current.hard) {
          if (!current.soft) {
            out.push(" ");
            position += 1;
          }
        } else {
          trimTrailingSpaces(out);
          out.push(newlineIndented(indent));
          position = indent;
        }
        break;
      case "breakParent":
        break;
    }
  }
  return out.join("");
}

interface PrintState {
  readonly broken: ReadonlySet<Group>;
  /** Groups holding a forced break somewhere inside: all broken ones, and conditional groups that are not. */
  readonly breaksInside: ReadonlySet<Group>;
  readonly groupModes: Map<symbol, Mode>;
  /** A group's text when flat, worked out once. */
  readonly flatText: (group: Group) => string;
}

/** How a group prints: flat if it fits, else broken, or (a conditional group) the first of its layouts that fits. */
function groupCommand(
  group: Group,
  indent: number,
  mode: Mode,
  remaining: number,
  rest: readonly Command[],
  state: PrintState,
): Command {
  const isBroken = state.broken.has(group);
  if (mode === FLAT) return { indent, mode: isBroken ? BREAK : FLAT, doc: group.contents };
  const flat: Command = { indent, mode: FLAT, doc: group.contents };
  // A group with no break inside measures as its flat text, as it prints: no need to walk it.
  const probe: Command = state.breaksInside.has(group) ? flat : { indent, mode: FLAT, doc: state.flatText(group) };
  if (!isBroken && fits(probe, rest, remaining, state, false)) return flat;
  const states = group.expandedStates;
  if (states === undefined) return { indent, mode: BREAK, doc: group.contents };
  const mostExpanded: Command = { indent, mode: BREAK, doc: states[states.length - 1]! };
  if (isBroken) return mostExpanded;
  for (let i = 1; i < states.length; i++) {
    const candidate: Command = { indent, mode: FLAT, doc: states[i]! };
    if (fits(candidate, rest, remaining, state, false)) return candidate;
  }
  return mostExpanded;
}

/** prettier's fill: each separator breaks when the content after it would not fit on the line. */
function printFill(
  rest: FillRest,
  indent: number,
  mode: Mode,
  remaining: number,
  commands: Command[],
  state: PrintState,
): void {
  const { parts } = rest.fill;
  const length = parts.length - rest.offset;
  if (length === 0) return;
  const content = parts[rest.offset]!;
  const contentFlat: Command = { indent, mode: FLAT, doc: content };
  const contentBreak: Command = { indent, mode: BREAK, doc: content };
  const contentFits = fits(contentFlat, [], remaining, state, true);
  if (length === 1) {
    commands.push(contentFits ? contentFlat : contentBreak);
    return;
  }
  const separator = parts[rest.offset + 1]!;
  const separatorFlat: Command = { indent, mode: FLAT, doc: separator };
  const separatorBreak: Command = { indent, mode: BREAK, doc: separator };
  if (length === 2) {
    if (contentFits) commands.push(separatorFlat, contentFlat);
    else commands.push(separatorBreak, contentBreak);
    return;
  }
  const remainder: Command = { indent, mode, doc: { kind: "fillRest", fill: rest.fill, offset: rest.offset + 2 } };
  const pair: Command = { indent, mode: FLAT, doc: [content, separator, parts[rest.offset + 2]!] };
  if (fits(pair, [], remaining, state, true)) commands.push(remainder, separatorFlat, contentFlat);
  else if (contentFits) commands.push(remainder, separatorBreak, contentFlat);
  else commands.push(remainder, separatorBreak, contentBreak);
}

/**
 * Whether `next`, followed by the rest of its line (what is left on the
 * stack, in its own modes), fits in `width` columns. `mustBeFlat` fails on
 * any group that must break.
 */
function fits(next: Command, rest: readonly Command[], width: number, state: PrintState, mustBeFlat: boolean): boolean {
  let restIndex = rest.length;
  const commands: { mode: Mode; doc: Doc | FillRest }[] = [next];
  let remaining = width;
  while (remaining >= 0) {
    if (commands.length === 0) {
      if (restIndex === 0) return true;
      commands.push(rest[--restIndex]!);
      continue;
    }
    const { mode, doc } = commands.pop()!;
    if (typeof doc === "string") {
      remaining -= doc.length;
      continue;
    }
    if (isDocArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) commands.push({ mode, doc: doc[i]! });
      continue;
    }
    switch (doc.kind) {
      case "indent":
        commands.push({ mode, doc: doc.contents });
        break;
      case "fill":
      case "fillRest": {
        const parts = doc.kind === "fill" ? doc.parts : doc.fill.parts;
        const start = doc.kind === "fill" ? 0 : doc.offset;
        for (let i = parts.length - 1; i >= start; i--) commands.push({ mode, doc: parts[i]! });
        break;
      }
      case "group": {
        const isBroken = state.broken.has(doc);
        if (mustBeFlat && isBroken) return false;
        if (!isBroken && mode === FLAT && !state.breaksInside.has(doc)) {
          remaining -= state.flatText(doc).length;
          break;
        }
        const groupMode = isBroken ? BREAK : mode;
        const states = doc.expandedStates;
        const contents = states !== undefined && groupMode === BREAK ? states[states.length - 1]! : doc.contents;
        commands.push({ mode: groupMode, doc: contents });
        break;
      }
      case "ifBreak": {
        const groupMode = doc.groupId === undefined ? mode : (state.groupModes.get(doc.groupId) ?? FLAT);
        commands.push({ mode, doc: groupMode === BREAK ? doc.broken : doc.flat });
        break;
      }
      case "line":
        if (mode === BREAK || doc.hard) return true;
        if (!doc.soft) remaining -= 1;
        break;
      case "breakParent":
        break;
    }
  }
  return false;
}

/**
 * The groups that must break (prettier's propagateBreaks): those written
 * expanded, those holding a hard line or a breakParent, and every group
 * around a broken one, up to the nearest conditional group, which decides
 * for itself.
 */
function propagateBreaks(doc: Doc): { broken: Set<Group>; breaksInside: Set<Group>; forced: boolean } {
  const broken = new Set<Group>();
  const breaksInside = new Set<Group>();
  const visited = new Set<Group>();
  const visit = (current: Doc): boolean => {
    if (typeof current === "string") return false;
    // Indexed loops: this runs mostly before V8 optimizes it, where for-of costs an iterator.
    if (isDocArray(current)) {
      let any = false;
      for (let i = 0; i < current.length; i++) any = visit(current[i]!) || any;
      return any;
    }
    switch (current.kind) {
      case "indent":
        return visit(current.contents);
      case "ifBreak": {
        const inBroken = visit(current.broken);
        return visit(current.flat) || inBroken;
      }
      case "fill": {
        let any = false;
        for (let i = 0; i < current.parts.length; i++) any = visit(current.parts[i]!) || any;
        return any;
      }
      case "line":
        return current.hard;
      case "breakParent":
        return true;
      case "group": {
        if (!visited.has(current)) {
          visited.add(current);
          let inner = false;
          for (const state of current.expandedStates ?? [current.contents]) inner = visit(state) || inner;
          if (inner || current.expanded) breaksInside.add(current);
          if (current.expandedStates === undefined && (inner || current.expanded)) broken.add(current);
        }
        return broken.has(current);
      }
    }
  };
  const breaksOut = visit(doc);
  return { broken, breaksInside, forced: breaksOut || breaksInside.size > 0 };
}

/** A line break and `indent` spaces; the few indentations generated code uses are made once. */
const newlines: string[] = [];
function newlineIndented(indent: number): string {
  return (newlines[indent] ??= `\n${" ".repeat(indent)}`);
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    // Nearly every piece ends in code, not a space: then there is nothing to trim.
    const end = last.charCodeAt(last.length - 1);
    if (end !== 0x20 && end !== 0x09 && last.length > 0) return;
    const trimmed = last.replace(/[ \t]+$/, "");
    if (trimmed.length === 0) {
      out.pop();
      continue;
    }
    out[out.length - 1] = trimmed;
    return;
  }
}

function isDocArray(doc: Doc | FillRest): doc is readonly Doc[] {
  return Array.isArray(doc);
}

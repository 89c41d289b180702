import type { Annotation } from "../../idl/ast.js";

/**
 * A JSDoc block, or null for none: `single` holds the text of a one-line block
 * (written `/** text *\/`), else `lines` holds every line (without ` * `
 * prefixes; each is "" or starts with a space, so a template writes
 * ` *{{line}}`). `*\/` inside IDL text is broken up so it cannot end the
 * comment early.
 */
export type DocLines = { single: string | null; lines: string[] } | null;

/**
 * Builds JSDoc blocks: the IDL doc comment's text first, then its own tags
 * (`@param`, `@throws`, ... with their continuation lines), then the tags
 * rpcgen adds. A tag the IDL already wrote is not written twice: its
 * `@throws` text goes into the typed `@throws` rpcgen writes, and Java's
 * `@Deprecated` becomes JSDoc's `@deprecated`.
 */
export class DocBuilder {
  private readonly body: string[] = [];
  /** The IDL's own tags, each with its continuation lines. */
  private readonly idlTags: string[][] = [];
  private readonly tags: string[] = [];

  constructor(doc: string | undefined) {
    if (doc === undefined) return;
    if (!doc.includes("\n") && !doc.includes("@")) {
      // Most docs are one line of text: nothing to take apart.
      if (doc.trim() !== "") this.body.push(doc.trimEnd());
      return;
    }
    for (const line of doc.split(/\r?\n/).map((l) => l.trimEnd())) {
      const current = this.idlTags.at(-1);
      if (line.trimStart().startsWith("@")) this.idlTags.push([line.trimStart().replace(/^@Deprecated\b/, "@deprecated")]);
      else if (current !== undefined && line.trim() !== "") current.push(line);
      else if (current === undefined) this.body.push(line);
    }
    this.body.splice(0, this.body.length, ...trimBlankEdges(this.body));
  }

  /** Adds `@deprecated` when the element has a `deprecated` annotation (its value is the reason) and no such tag yet. */
  deprecated(annotations: readonly Annotation[]): this {
    const annotation = annotations.find((a) => a.key === "deprecated");
    if (annotation === undefined || this.hasTag(/^@deprecated\b/)) return this;
    return this.tag(`@deprecated${annotation.value ? ` ${annotation.value}` : ""}`);
  }

  /** Adds `@param name text` unless the IDL documents the parameter itself (by `names`, IDL and JavaScript). */
  param(names: readonly string[], text: string): this {
    const documented = names.some((name) => this.hasTag(new RegExp(`^@param\\s+(?:\\{[^}]*\\}\\s+)?${escapeRegExp(name)}\\b`)));
    return documented ? this : this.tag(`@param ${names.at(-1)} ${text}`);
  }

  /**
   * Adds `@throws {type} name text`. An IDL `@throws` naming the same
   * exception (by field name, type or the type's last segment) is taken in:
   * its text is used when `text` is empty, and it is not written again.
   */
  throws(type: string, name: string, text: string): this {
    const candidates = new Set([name, type, type.slice(type.lastIndexOf(".") + 1)]);
    const index = this.idlTags.findIndex((lines) => {
      const word = /^@throws\s+\{?([\w.]+)\}?/.exec(lines[0]!)?.[1];
      return word !== undefined && candidates.has(word);
    });
    let description = text;
    if (index >= 0) {
      const [first, ...rest] = this.idlTags.splice(index, 1)[0]!;
      const own = [first!.replace(/^@throws\s+\{?[\w.]+\}?\s*/, ""), ...rest.map((l) => l.trim())].join(" ").trim();
      if (description === "") description = own;
    }
    return this.tag(`@throws {${type}} ${name}${description === "" ? "" : ` ${description}`}`);
  }

  tag(text: string): this {
    this.tags.push(...text.split(/\r?\n/).map((l) => l.trimEnd()));
    return this;
  }

  lines(): DocLines {
    const tags = [...this.idlTags.flat(), ...this.tags];
    const all = this.body.length > 0 && tags.length > 0 ? [...this.body, "", ...tags] : [...this.body, ...tags];
    if (all.length === 0) return null;
    const lines = all.map((line) => (line === "" ? "" : ` ${line.replace(/\*\//g, "*\\/")}`));
    return lines.length === 1 ? { single: lines[0]!, lines: [] } : { single: null, lines };
  }

  private hasTag(pattern: RegExp): boolean {
    return this.idlTags.some((lines) => pattern.test(lines[0]!)) || this.tags.some((line) => pattern.test(line));
  }
}

/** One-line summary of a doc comment, for `@param` and `@throws` descriptions. */
export function inlineDoc(doc: string | undefined): string {
  return doc === undefined ? "" : doc.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "").join(" ");
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === "") start++;
  while (end > start && lines[end - 1]!.trim() === "") end--;
  return lines.slice(start, end);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

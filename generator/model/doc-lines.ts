import type { Annotation } from "../../idl/ast.js";

/**
 * A JSDoc block, or null for none: `single` holds the text of a one-line block
 * (written `/** text *\/`), else `lines` holds every line (without ` * `
 * prefixes; each is "" or starts with a space, so a template writes
 * ` *{{line}}`). `*\/` inside IDL text is broken up so it cannot end the
 * comment early.
 */
export type DocLines = { single: string | null; lines: string[] } | null;

/** Builds JSDoc blocks: the IDL doc comment first, then tags in a fixed order. */
export class DocBuilder {
  private readonly body: string[] = [];
  private readonly tags: string[] = [];

  constructor(doc: string | undefined) {
    if (doc !== undefined) this.body.push(...trimBlankEdges(doc.split(/\r?\n/).map((l) => l.trimEnd())));
  }

  /** Adds `@deprecated` when the element has a `deprecated` annotation (its value is the reason). */
  deprecated(annotations: readonly Annotation[]): this {
    const annotation = annotations.find((a) => a.key === "deprecated");
    if (annotation !== undefined) this.tag(`@deprecated${annotation.value ? ` ${annotation.value}` : ""}`);
    return this;
  }

  tag(text: string): this {
    this.tags.push(...text.split(/\r?\n/).map((l) => l.trimEnd()));
    return this;
  }

  lines(): DocLines {
    const all = this.body.length > 0 && this.tags.length > 0 ? [...this.body, "", ...this.tags] : [...this.body, ...this.tags];
    if (all.length === 0) return null;
    const lines = all.map((line) => (line === "" ? "" : ` ${line.replace(/\*\//g, "*\\/")}`));
    return lines.length === 1 ? { single: lines[0]!, lines: [] } : { single: null, lines };
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

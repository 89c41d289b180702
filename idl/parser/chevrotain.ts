import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * chevrotain's values, loaded from the single-file bundle its package ships
 * (`lib/chevrotain.mjs`) rather than its entry point, which pulls in some 400
 * modules (lodash-es among them) and costs a quarter of a second on every
 * run; the bundle loads in about 10 ms. Types still come from "chevrotain".
 * Should a chevrotain release drop the bundle, the entry point is used.
 */
type Chevrotain = typeof import("chevrotain");

async function loadChevrotain(): Promise<Chevrotain> {
  const entry = createRequire(import.meta.url).resolve("chevrotain");
  const bundle = path.join(path.dirname(entry), "..", "chevrotain.mjs");
  try {
    return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    return import("chevrotain");
  }
}

const chevrotain = await loadChevrotain();

export const { CstParser, EOF, Lexer, createToken } = chevrotain;

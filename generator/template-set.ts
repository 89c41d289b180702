import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/** A template that is missing, unreadable or fails to render (usually a bad `--templates` override). */
export class TemplateError extends Error {
  override get name(): string {
    return "TemplateError";
  }
}

/** The templates that produce whole files; every other `.hbs` file is a partial. */
export type MainTemplate = "ts-file" | "proto-file" | "skeleton";

const mainTemplates: readonly MainTemplate[] = ["ts-file", "proto-file", "skeleton"];

/**
 * The `templates/` folder shipped with rpcgen. Found relative to this module,
 * which runs from `generator/` (sources, tests) or `dist/generator/` (package).
 */
export function defaultTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "../templates"), path.resolve(here, "../../templates")];
  const found = candidates.find((dir) => existsSync(path.join(dir, "ts-file.hbs")));
  if (found === undefined) throw new TemplateError(`rpcgen templates not found (looked in ${candidates.join(", ")})`);
  return found;
}

/**
 * The handlebars templates of one generation run: rpcgen's own, with any file of
 * `overrideDir` replacing the template or partial of the same file name.
 * Everything is compiled in strict mode, so a template naming a field the model
 * lacks fails loudly instead of printing nothing, and without HTML escaping,
 * since the output is code.
 */
export class TemplateSet {
  private readonly mains = new Map<MainTemplate, HandlebarsTemplateDelegate>();

  private constructor(
    sources: ReadonlyMap<string, { text: string; file: string }>,
    /** Whether any template comes from an override directory (then nothing is known about its layout). */
    readonly overridden: boolean,
  ) {
    const handlebars = Handlebars.create();
    for (const [name, source] of sources) {
      const compiled = compile(handlebars, source.text, source.file);
      if ((mainTemplates as readonly string[]).includes(name)) this.mains.set(name as MainTemplate, compiled);
      else handlebars.registerPartial(name, compiled);
    }
    for (const name of mainTemplates) {
      if (!this.mains.has(name)) throw new TemplateError(`template ${name}.hbs is missing`);
    }
  }

  /** rpcgen's own templates, read and compiled once per process (tests and `--watch` generate many times). */
  private static builtIn: Promise<TemplateSet> | undefined;

  /** Loads the default templates, then the overrides from `overrideDir` (if given). */
  static async load(overrideDir?: string): Promise<TemplateSet> {
    if (overrideDir === undefined) {
      TemplateSet.builtIn ??= TemplateSet.read(undefined).catch((error: unknown) => {
        TemplateSet.builtIn = undefined;
        throw error;
      });
      return TemplateSet.builtIn;
    }
    return TemplateSet.read(overrideDir);
  }

  private static async read(overrideDir: string | undefined): Promise<TemplateSet> {
    const sources = new Map<string, { text: string; file: string }>();
    let overridden = false;
    for (const dir of overrideDir === undefined ? [defaultTemplatesDir()] : [defaultTemplatesDir(), overrideDir]) {
      let entries: string[];
      try {
        entries = (await readdir(dir)).filter((f) => f.endsWith(".hbs")).sort();
      } catch (error) {
        throw new TemplateError(`cannot read templates directory ${dir}: ${(error as Error).message}`, { cause: error });
      }
      for (const entry of entries) {
        const file = path.join(dir, entry);
        sources.set(entry.slice(0, -".hbs".length), { text: await readFile(file, "utf8"), file });
        overridden ||= dir === overrideDir;
      }
    }
    return new TemplateSet(sources, overridden);
  }

  render(name: MainTemplate, model: object): string {
    return this.mains.get(name)!(model);
  }
}

function compile(handlebars: typeof Handlebars, text: string, file: string): HandlebarsTemplateDelegate {
  let template: HandlebarsTemplateDelegate;
  try {
    template = handlebars.compile(text, { strict: true, noEscape: true });
  } catch (error) {
    throw new TemplateError(`template ${file}: ${(error as Error).message}`, { cause: error });
  }
  // Handlebars compiles lazily; report a broken template with its file name, not on first use.
  return (context: unknown, options?: Handlebars.RuntimeOptions) => {
    try {
      return template(context, options);
    } catch (error) {
      throw new TemplateError(`template ${file}: ${(error as Error).message}`, { cause: error });
    }
  };
}

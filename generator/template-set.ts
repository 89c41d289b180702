import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Handlebars from "handlebars";

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
 * How every template is compiled: strict, so a template naming a field the
 * model lacks fails loudly instead of printing nothing, and without HTML
 * escaping, since the output is code. precompile-templates.ts uses the same.
 */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

/** A template of the set: its text and the file it came from. */
interface TemplateSource {
  readonly text: string;
  readonly file: string;
}

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
 * `overrideDir` replacing the template or partial of the same file name, all
 * compiled with COMPILE_OPTIONS. rpcgen's own templates come precompiled
 * (precompiled-templates.ts) as long as their files are unchanged, and then
 * only handlebars' runtime is loaded.
 */
export class TemplateSet {
  private readonly mains = new Map<MainTemplate, HandlebarsTemplateDelegate>();

  private constructor(
    sources: ReadonlyMap<string, TemplateSource>,
    /** Whether any template comes from an override directory (then nothing is known about its layout). */
    readonly overridden: boolean,
    compiler: Compiler,
  ) {
    const handlebars = compiler.handlebars;
    for (const [name, source] of sources) {
      const compiled = guard(compiler.compile(name, source), source.file);
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
    const sources = new Map<string, TemplateSource>();
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
    return new TemplateSet(sources, overridden, await compilerFor(sources));
  }

  render(name: MainTemplate, model: object): string {
    return this.mains.get(name)!(model);
  }
}

/** A handlebars environment and how it turns a template's source into a template. */
interface Compiler {
  readonly handlebars: typeof Handlebars;
  compile(name: string, source: TemplateSource): HandlebarsTemplateDelegate;
}

/**
 * Precompiled specs when every template is one of rpcgen's own, unchanged
 * (handlebars' runtime alone is then enough); else handlebars' compiler.
 */
async function compilerFor(sources: ReadonlyMap<string, TemplateSource>): Promise<Compiler> {
  const PRECOMPILED = await loadPrecompiled();
  const allPrecompiled = [...sources].every(([name, source]) => PRECOMPILED[name]?.source === source.text);
  if (allPrecompiled) {
    // handlebars/runtime.js has no typings of its own; it is the runtime half of the same API.
    const runtime = ((await import("handlebars/runtime.js")) as unknown as { default: typeof Handlebars }).default.create();
    return { handlebars: runtime, compile: (name) => runtime.template(PRECOMPILED[name]!.spec as TemplateSpecification) };
  }
  const handlebars = (await import("handlebars")).default.create();
  return {
    handlebars,
    compile: (_name, source) => {
      try {
        return handlebars.compile(source.text, COMPILE_OPTIONS);
      } catch (error) {
        throw new TemplateError(`template ${source.file}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/**
 * The precompiled specs, written by `npm run build` (generator/precompile-templates.ts,
 * git-ignored); none in a clone that was never built, which then compiles every template.
 */
async function loadPrecompiled(): Promise<Readonly<Record<string, { readonly source: string; readonly spec: object }>>> {
  try {
    return (await import("./precompiled-templates.js")).PRECOMPILED;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return {};
    throw error;
  }
}

/** `template`, throwing TemplateError with its file name when it fails to render. */
function guard(template: HandlebarsTemplateDelegate, file: string): HandlebarsTemplateDelegate {
  // Handlebars compiles lazily; report a broken template with its file name, not on first use.
  return (context: unknown, options?: Handlebars.RuntimeOptions) => {
    try {
      return template(context, options);
    } catch (error) {
      throw new TemplateError(`template ${file}: ${(error as Error).message}`, { cause: error });
    }
  };
}

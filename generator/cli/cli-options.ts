import { Command, Option } from "commander";

/** The TypeScript type generated code uses for i64 values. */
export type I64Mode = "number" | "string" | "bigint";

/** Everything the command line asked for, after parsing and validation. */
export interface CliOptions {
  readonly files: string[];
  readonly check: boolean;
  readonly json: boolean;
  readonly includeDirs: string[];
  readonly out: string | undefined;
  readonly watch: boolean;
  readonly templates: string | undefined;
  readonly skeleton: boolean;
  readonly skeletonOut: string | undefined;
  readonly erasable: boolean;
  readonly verify: boolean;
  readonly i64: I64Mode;
}

interface RawOptions {
  check?: boolean;
  json?: boolean;
  includeDir?: string[];
  out?: string;
  watch?: boolean;
  templates?: string;
  skeleton?: boolean;
  skeletonOut?: string;
  erasable?: boolean;
  verify?: boolean;
  i64: I64Mode;
}

/**
 * The `rpcgen` command: its arguments, options and help text. The caller
 * decides what to do with `exitOverride` errors (help, version, usage).
 */
export function buildCommand(version: string): Command {
  return new Command("rpcgen")
    .description("Check Thrift IDL files and generate TypeScript clients, servers and .proto files from them.")
    .argument("<file...>", "IDL files (.thrift or .idl); their includes are loaded too")
    .option("--check", "only check the IDL: report every problem, write nothing")
    .option("--json", "print diagnostics as JSON on stdout instead of text on stderr")
    .option(
      "-I, --include-dir <dir>",
      "also look for included files in <dir> (repeatable; searched in order after the including file's directory)",
      (dir: string, previous: string[] | undefined) => [...(previous ?? []), dir],
    )
    .option("-o, --out <dir>", "directory to write the generated files to")
    .option("--watch", "regenerate whenever an IDL file changes")
    .option("--templates <dir>", "use the templates in <dir> instead of the built-in ones")
    .option("--skeleton", "also write a starting implementation of each service handler (never overwritten)")
    .option(
      "--skeleton-out <dir>",
      "where --skeleton writes (default: beside the output directory, i.e. its parent, when -o names a directory inside the working directory; else the output directory)",
    )
    .option("--erasable", "only TypeScript that type stripping can erase: enums as const objects, imports ending in .ts")
    .option("--verify", "check that the generated files on disk are up to date instead of writing them")
    .addOption(
      new Option("--i64 <type>", "TypeScript type for i64 values")
        .choices(["number", "string", "bigint"])
        .default("bigint"),
    )
    .version(version, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "print this help and exit")
    .showHelpAfterError("(run rpcgen --help for usage)")
    .allowExcessArguments(false)
    .exitOverride();
}

/** Reads the parsed options and arguments back from a command built by `buildCommand`. */
export function optionsOf(command: Command): CliOptions {
  const raw = command.opts<RawOptions>();
  return {
    files: command.args,
    check: raw.check === true,
    json: raw.json === true,
    includeDirs: raw.includeDir ?? [],
    out: raw.out,
    watch: raw.watch === true,
    templates: raw.templates,
    skeleton: raw.skeleton === true,
    skeletonOut: raw.skeletonOut,
    erasable: raw.erasable === true,
    verify: raw.verify === true,
    i64: raw.i64,
  };
}

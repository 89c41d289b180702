import { CommanderError } from "commander";
import { runCheck } from "./check-command.js";
import { type CliIo, processIo } from "./cli-io.js";
import { buildCommand, type CliOptions, optionsOf } from "./cli-options.js";
import { EXIT_IDL_ERRORS, EXIT_INTERNAL_ERROR, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { packageVersion } from "./package-version.js";

/**
 * Runs `rpcgen` with the given arguments (without `node` and the script) and
 * returns the exit code: 0 success, 1 errors in the IDL, 2 bad usage or an
 * unreadable input file, 70 a bug in rpcgen. Never throws.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    // Subcommands that talk to a running server (docs/OBSERVABILITY.md); everything else names IDL files.
    // Commands are loaded when used: `--check` needs neither the generator (prettier, handlebars) nor the runtime.
    if (argv[0] === "list") return await (await import("./list-command.js")).runListCommand(argv.slice(1), io);
    if (argv[0] === "call") return await (await import("./call-command.js")).runCallCommand(argv.slice(1), io);
    const options = parseCommandLine(argv, io);
    if (typeof options === "number") return options;
    const checked = runCheck(options, io);
    // A watch keeps running through IDL errors: the user is fixing them right now.
    const keepWatching =
      options.watch && !options.check && !options.verify && checked.exitCode === EXIT_IDL_ERRORS;
    if (checked.exitCode !== undefined && !keepWatching) return checked.exitCode;
    if (options.check) return EXIT_OK;
    const { runGenerateCommand } = await import("./generate-command.js");
    return await runGenerateCommand(
      {
        files: options.files,
        outDir: options.out,
        includeDirs: options.includeDirs,
        json: options.json,
        watch: options.watch,
        templatesDir: options.templates,
        skeleton: options.skeleton,
        skeletonOut: options.skeletonOut,
        erasable: options.erasable,
        verify: options.verify,
        i64: options.i64,
      },
      io,
      checked,
    );
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`rpcgen: internal error (this is a bug in rpcgen, please report it)\n${detail}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}

/** The parsed options, or the exit code when the command line was handled already (help, version, usage error). */
function parseCommandLine(argv: string[], io: CliIo): CliOptions | number {
  const command = buildCommand(packageVersion()).configureOutput({
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (message, write) => write(`rpcgen: ${message.replace(/^error: /, "")}`),
  });
  try {
    command.parse(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // commander has already printed help, the version or the usage error.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  return optionsOf(command);
}

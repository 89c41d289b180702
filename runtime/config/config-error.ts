/** One problem in a configuration, located by key path and, when known, by line and column. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `client.services.Calculator.retries` (list items as `providers[0]`). */
  readonly path: string;
  /** What is wrong, e.g. `expected a whole number ≥ 0, got "two"`. */
  readonly message: string;
  /** 1-based position of the offending value in the YAML text, when it came from text. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * Thrown by loadConfig/parseConfig with every problem found, not just the
 * first. Its message has one line per issue:
 * `config.yaml: client.services.Calculator.retries: expected a whole number ≥ 0, got "two"`.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(issues.map((issue) => formatIssue(source, issue)).join("\n"));
  }

  override get name(): string {
    return "ConfigError";
  }
}

function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  const position = issue.line === undefined ? "" : ` (line ${issue.line}, column ${issue.column})`;
  return `${source}: ${where}${issue.message}${position}`;
}

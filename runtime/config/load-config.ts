import { readFile } from "node:fs/promises";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { issuesFromZod } from "./config-issues.js";
import { configSchema, type RpcgenConfig, type RpcgenConfigInput } from "./config-schema.js";

/**
 * Parses and validates YAML configuration text. Throws a ConfigError listing
 * every problem, each named by `sourceName` and key path, with its line.
 */
export function parseConfig(text: string, sourceName = "config.yaml"): RpcgenConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      sourceName,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          path: "",
          message: `invalid YAML: ${error.message.split("\n")[0]}`,
          ...(position === undefined ? {} : { line: position.line, column: position.col }),
        };
      }),
    );
  }
  const data: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error).map(({ issue, keyPath, atKey }) =>
    locate(issue, keyPath, atKey, document, lineCounter),
  );
  throw new ConfigError(sourceName, issues);
}

/** Reads, parses and validates a YAML configuration file; errors name the file. */
export async function loadConfig(path: string): Promise<RpcgenConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(path, [{ path: "", message: `cannot read the configuration: ${reason}` }]);
  }
  return parseConfig(text, path);
}

/** Validates a configuration written in code, with the same checks and messages as a file. */
export function defineConfig(config: RpcgenConfigInput, sourceName = "config"): RpcgenConfig {
  const result = configSchema.safeParse(config, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    sourceName,
    issuesFromZod(result.error).map(({ issue }) => issue),
  );
}

/** Adds the line and column of the deepest YAML node on the issue's path. */
function locate(
  issue: ConfigIssue,
  path: readonly PropertyKey[],
  atKey: boolean,
  document: Document,
  lineCounter: LineCounter,
): ConfigIssue {
  let node: unknown = document.contents;
  let located: unknown = node;
  for (const [depth, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String((item.key as { value?: unknown })?.value ?? item.key) === String(key),
      );
      const wantKey = atKey && depth === path.length - 1;
      // An absent or empty value is located at its key.
      node = wantKey ? pair?.key : (pair?.value ?? pair?.key);
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key];
    } else {
      break;
    }
    if (node === undefined || node === null) break;
    located = node;
  }
  const range = (located as { range?: [number, number, number] } | undefined)?.range;
  if (range === undefined) return issue;
  const position = lineCounter.linePos(range[0]);
  return { ...issue, line: position.line, column: position.col };
}

import * as prettier from "prettier";

/**
 * Fixed prettier options, never read from the user's config files, so that
 * output is byte-identical whatever directory rpcgen runs in.
 */
const options: prettier.Options = {
  parser: "typescript",
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
  quoteProps: "preserve",
};

/** Formats generated TypeScript. A syntax error here means a template produced broken code. */
export async function formatTypeScript(code: string, fileName: string): Promise<string> {
  try {
    return await prettier.format(code, { ...options, filepath: fileName });
  } catch (error) {
    throw new Error(`rpcgen produced invalid TypeScript for ${fileName}: ${(error as Error).message}`, { cause: error });
  }
}

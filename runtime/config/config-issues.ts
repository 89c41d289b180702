import type { z } from "zod";
import type { ConfigIssue } from "./config-error.js";

/** A ConfigIssue with the raw key path it came from, for locating it in the YAML text. */
export interface LocatableIssue {
  readonly issue: ConfigIssue;
  readonly keyPath: readonly PropertyKey[];
  /** True when the issue is about the key itself (an unknown key), not its value. */
  readonly atKey: boolean;
}

/** Turns zod's issues into ConfigIssues whose message says what was expected and what was found. */
export function issuesFromZod(error: z.ZodError): LocatableIssue[] {
  return error.issues.flatMap((issue): LocatableIssue[] => {
    if (issue.code === "unrecognized_keys") {
      // One issue per key, located at the key itself: a misspelt option is the usual cause.
      return issue.keys.map((key) => {
        const keyPath = [...issue.path, key];
        return { keyPath, atKey: true, issue: { path: formatPath(keyPath), message: "unknown key" } };
      });
    }
    const path = formatPath(issue.path);
    const input = (issue as { input?: unknown }).input;
    if (input === undefined) {
      return [{ keyPath: issue.path, atKey: false, issue: { path, message: `is required: ${issue.message}` } }];
    }
    return [
      { keyPath: issue.path, atKey: false, issue: { path, message: `${issue.message}, got ${isSecret(issue.path) ? "a value (not shown: it may be a secret)" : describeValue(input)}` } },
    ];
  });
}

/** `["client", "services", "Calc", "retries"]` → `client.services.Calc.retries`; numbers become `[i]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Keys whose value is a secret: a secret written in the file by mistake is not repeated in the error. */
const secretKeys = new Set(["password", "token"]);

function isSecret(path: readonly PropertyKey[]): boolean {
  const last = path[path.length - 1];
  return typeof last === "string" && secretKeys.has(last);
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

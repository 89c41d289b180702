import type { Logger } from "@rpcgen/runtime";

/** A Logger that keeps every record, so tests can check what was logged. */
export class CaptureLogger implements Logger {
  readonly records: Array<{ level: string; details: object; message: string }> = [];
  debug = this.method("debug");
  info = this.method("info");
  warn = this.method("warn");
  error = this.method("error");

  messages(level: string): string[] {
    return this.records.filter((r) => r.level === level).map((r) => r.message);
  }

  private method(level: string) {
    return (detailsOrMessage: object | string, message?: string) => {
      if (typeof detailsOrMessage === "string") this.records.push({ level, details: {}, message: detailsOrMessage });
      else this.records.push({ level, details: detailsOrMessage, message: message ?? "" });
    };
  }
}

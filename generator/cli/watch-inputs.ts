import { type FSWatcher, watch } from "node:fs";
import path from "node:path";

/** Editors save in bursts (write, rename, chmod): changes within this window trigger one run. */
const settleMs = 80;

/**
 * Watches a set of files for changes and calls `onChange` once per burst.
 * Directories are watched rather than the files themselves, because editors
 * often replace a file (write a temp file, rename it over), which ends a
 * watch placed on the old file.
 */
export class InputWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onChange: (changed: string) => void) {}

  /** Replaces the watched set (includes may have changed since the last run). */
  update(files: Iterable<string>): void {
    this.files = new Set([...files].map((f) => path.resolve(f)));
    const dirs = new Set([...this.files].map((f) => path.dirname(f)));
    for (const [dir, watcher] of this.watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, (_event, name) => {
          if (name === null) return;
          const changed = path.join(dir, name.toString());
          if (this.files.has(changed)) this.schedule(changed);
        });
        this.watchers.set(dir, watcher);
      } catch {
        // A directory that vanished cannot be watched; the next successful load will list it again.
      }
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private schedule(changed: string): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange(changed);
    }, settleMs);
  }
}

/** The workloads' payloads, identical for every framework. */

/** ~100 bytes of text for the small echo. */
export const smallText =
  "rpcgen benchmark small echo payload: the quick brown fox jumps over the lazy dog, 0123456789 ABCDEF";

export const smallCount = 42;

/** 1 MiB of non-trivial bytes (gzip or dedup would not shrink them to nothing). */
export function oneMiB(): Uint8Array {
  const bytes = new Uint8Array(1024 * 1024);
  let state = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** Shape of one struct of the struct-heavy workload (matches Item in echo.thrift/echo.proto). */
export interface PlainItem {
  id: number;
  name: string;
  active: boolean;
  tags: string[];
  counters: Map<string, number>;
  inner: { score: number; samples: number[]; labels: Map<string, string> };
}

/** 100 items with nested lists and maps. */
export function structItems(): PlainItem[] {
  return Array.from({ length: 100 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    active: i % 2 === 0,
    tags: ["alpha", "beta", `tag-${i}`],
    counters: new Map([
      ["reads", i * 3],
      ["writes", i * 5],
    ]),
    inner: {
      score: i / 7,
      samples: [i, i + 1, i + 2, i + 3, i + 4],
      labels: new Map([
        ["zone", "eu-west"],
        ["tier", i % 3 === 0 ? "gold" : "silver"],
      ]),
    },
  }));
}

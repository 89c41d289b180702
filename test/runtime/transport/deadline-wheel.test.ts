import { describe, expect, it } from "vitest";
import { DeadlineWheel, type DeadlineEntry } from "@rpcgen/runtime/internal/deadline/deadline-wheel.js";

interface Item extends DeadlineEntry {
  name: string;
}

function item(name: string, deadlineAt: number): Item {
  return { name, deadlineAt, wheelBucket: undefined, wheelSlot: 0 };
}

describe("DeadlineWheel", () => {
  it("expires entries in deadline order, never before their deadline, and only once", async () => {
    const expired: Array<{ name: string; late: number }> = [];
    let resolveAll!: () => void;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const wheel = new DeadlineWheel<Item>((entry) => {
      expired.push({ name: entry.name, late: Date.now() - entry.deadlineAt });
      if (expired.length === 3) resolveAll();
    }, 5);
    const now = Date.now();
    wheel.add(item("c", now + 60));
    wheel.add(item("a", now + 10));
    wheel.add(item("b", now + 30));
    expect(wheel.size).toBe(3);
    await all;
    expect(expired.map((e) => e.name)).toEqual(["a", "b", "c"]);
    for (const { late } of expired) expect(late).toBeGreaterThanOrEqual(0);
    expect(wheel.size).toBe(0);
  });

  it("does not expire removed entries, even ones that shared a bucket", async () => {
    const expired: string[] = [];
    let resolveLast!: () => void;
    const last = new Promise<void>((resolve) => (resolveLast = resolve));
    const wheel = new DeadlineWheel<Item>((entry) => {
      expired.push(entry.name);
      if (entry.name === "last") resolveLast();
    }, 5);
    const at = Date.now() + 20;
    const entries = Array.from({ length: 100 }, (_, i) => item(`e${i}`, at));
    for (const entry of entries) wheel.add(entry);
    wheel.add(item("last", at + 20));
    for (const entry of entries) if (entry.name !== "e50") wheel.remove(entry);
    wheel.remove(entries[0]!);
    expect(wheel.size).toBe(2);
    await last;
    expect(expired).toEqual(["e50", "last"]);
  });

  it("expires an entry whose deadline has already passed on the next tick", async () => {
    const wheel = new DeadlineWheel<Item>((entry) => resolveIt(entry.name), 5);
    let resolveIt!: (name: string) => void;
    const expired = new Promise<string>((resolve) => (resolveIt = resolve));
    wheel.add(item("past", Date.now() - 1000));
    await expect(expired).resolves.toBe("past");
  });

  it("forgets everything on clear()", () => {
    const wheel = new DeadlineWheel<Item>(() => {
      throw new Error("must not expire");
    }, 5);
    const entry = item("x", Date.now() + 10);
    wheel.add(entry);
    wheel.clear();
    expect(wheel.size).toBe(0);
    expect(entry.wheelBucket).toBeUndefined();
    wheel.remove(entry);
    expect(wheel.size).toBe(0);
  });

  it("keeps its interval across back-to-back entries and stops it once a tick passes idle", async () => {
    const wheel = new DeadlineWheel<Item>(() => {
      throw new Error("must not expire");
    }, 5);
    expect(wheel.running).toBe(false);
    for (let i = 0; i < 3; i++) {
      const entry = item(`e${i}`, Date.now() + 60_000);
      wheel.add(entry);
      wheel.remove(entry);
      // No entry left, yet the next add must not have to start a new interval.
      expect(wheel.running).toBe(true);
    }
    expect(wheel.size).toBe(0);
    const stopped = new Promise<void>((resolve) => {
      let polls = 0;
      const poll = setInterval(() => {
        if (!wheel.running || ++polls > 400) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    await stopped;
    expect(wheel.running).toBe(false);
  });
});

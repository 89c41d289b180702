import { type DeadlineEntry, DeadlineWheel } from "./deadline-wheel.js";

/** A tracked item that knows what to do when its deadline passes. */
export interface ExpiringEntry extends DeadlineEntry {
  /** Called at most once, at most one tick after `deadlineAt`; must ignore an already-settled entry. */
  expire(): void;
}

/**
 * The process-wide deadline wheel: every client call and every server call with a
 * deadline lives here, so the whole runtime runs one 10 ms timer (and none while
 * nothing has a deadline).
 */
export const sharedDeadlineWheel = new DeadlineWheel<ExpiringEntry>((entry) => entry.expire(), 10);

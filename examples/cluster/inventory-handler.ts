import { setTimeout as sleep } from "node:timers/promises";
import type { CallContext } from "@rpcgen/runtime";
import { OutOfStock, type InventoryHandler, type Reservation, type Served, type Stock } from "./gen/inventory.js";

/** The inventory's business logic: an in-memory stock that says which provider answered. */
export class InventoryHandlerImpl implements InventoryHandler {
  private readonly levels = new Map<string, number>();
  private reservations = 0;

  constructor(private readonly servedBy: Served) {}

  async stock(item: string, delayMs: number, context: CallContext): Promise<Stock> {
    await pause(delayMs, context);
    return { item, available: this.levelOf(item), servedBy: this.servedBy };
  }

  async reserve(item: string, quantity: number, delayMs: number, context: CallContext): Promise<Reservation> {
    await pause(delayMs, context);
    const available = this.levelOf(item);
    if (quantity > available) throw new OutOfStock({ item, available });
    this.levels.set(item, available - quantity);
    this.reservations += 1;
    return { id: `${this.servedBy.pid}-${this.reservations}`, item, quantity, servedBy: this.servedBy };
  }

  private levelOf(item: string): number {
    // Every item starts with plenty, so the example's load never runs out.
    return this.levels.get(item) ?? 1_000_000;
  }
}

/** Waits `delayMs`, or less if the caller gives up (the signal rejects the wait). */
async function pause(delayMs: number, context: CallContext): Promise<void> {
  if (delayMs > 0) await sleep(delayMs, undefined, { signal: context.signal });
}

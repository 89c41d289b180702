/**
 * The client process of the memory-per-connection bench:
 * `memory-client-main.ts <framework> <port>`. Opens connections when told
 * ("open"), makes one park call on each ("park"), closes them ("close"); each
 * step is answered over IPC once complete.
 */
import { openHeld, type HeldConnection, type MemoryFramework } from "./held-connections.js";
import type { MemoryClientCommand, MemoryClientMessage } from "./memory-messages.js";

const framework = process.argv[2] as MemoryFramework;
const port = Number(process.argv[3]);
/** Connects under way at once: more would overflow the server's accept backlog and cost SYN retries of a second. */
const openingAtOnce = 128;

let held: HeldConnection[] = [];

process.on("message", (command: MemoryClientCommand) => {
  run(command).then(send, (error: unknown) =>
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));

async function run(command: MemoryClientCommand): Promise<MemoryClientMessage> {
  switch (command.type) {
    case "open":
      held = held.concat(await openMany(command.count));
      return { type: "opened", count: held.length };
    case "park":
      await Promise.all(held.map((connection, index) => connection.park(index)));
      return { type: "replied", count: held.length };
    case "close":
      for (const connection of held) connection.close();
      held = [];
      return { type: "closed" };
  }
}

async function openMany(count: number): Promise<HeldConnection[]> {
  const opened: HeldConnection[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      opened.push(await openHeld(framework, port));
    }
  };
  await Promise.all(Array.from({ length: Math.min(openingAtOnce, count) }, lane));
  return opened;
}

function send(message: MemoryClientMessage): void {
  process.send?.(message);
}

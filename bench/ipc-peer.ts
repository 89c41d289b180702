/**
 * A bench process forked from bench/ (bench/peer-entry.ts: its bundle under
 * plain node once bundled, else the .ts under tsx) and spoken to over IPC: send a command, await the answer of a given type. Every wait is
 * bounded, and a "failed" answer or the process's exit rejects it.
 */
import { fork, type ChildProcess } from "node:child_process";
import { peerEntry } from "./peer-entry.js";

/** One answer is awaited at a time; answers that arrive before they are awaited wait in an inbox. */
export class IpcPeer<Command, Message extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly inbox: Message[] = [];
  private waiter: (() => void) | undefined;
  private exited: Error | undefined;

  constructor(
    readonly timeoutMs: number,
    script: string,
    args: string[],
    nodeFlags: string[] = [],
  ) {
    const entry = peerEntry(script, nodeFlags);
    this.child = fork(entry.script, args, {
      execArgv: entry.execArgv,
      stdio: ["ignore", 2, 2, "ipc"],
    });
    this.child.on("message", (message: Message) => {
      this.inbox.push(message);
      this.waiter?.();
    });
    this.child.once("exit", (code, signal) => {
      this.exited = new Error(`${script} exited (code ${code}, signal ${signal})`);
      this.waiter?.();
    });
  }

  ask<Type extends Message["type"]>(command: Command, type: Type): Promise<Extract<Message, { type: Type }>> {
    const answer = this.next(type);
    this.child.send(command as object);
    return answer;
  }

  /** The next message of `type`; a "failed" message, an exit or the step timeout rejects. */
  async next<Type extends Message["type"]>(type: Type): Promise<Extract<Message, { type: Type }>> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((message) => message.type === type || message.type === "failed");
      if (index >= 0) {
        const [message] = this.inbox.splice(index, 1);
        if (message!.type === "failed") throw new Error((message as unknown as { message: string }).message);
        return message as Extract<Message, { type: Type }>;
      }
      if (this.exited !== undefined) throw this.exited;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" answer within ${this.timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

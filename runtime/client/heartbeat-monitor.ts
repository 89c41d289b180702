/**
 * Watches one connection for signs of life. It ticks at half the interval: a
 * connection that received nothing for a tick gets a ping, and one that stays
 * silent for a whole interval after the ping is declared dead. So a peer that
 * stops answering is detected within two intervals of its last word, and a
 * busy connection (anything received counts) is never pinged at all.
 */
export class HeartbeatMonitor {
  private receivedSinceTick = false;
  private silentTicks = 0;
  private awaitingPong = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    intervalMs: number,
    private readonly sendPing: () => void,
    private readonly onDead: () => void,
  ) {
    this.timer = setInterval(() => this.tick(), Math.max(1, intervalMs / 2));
    this.timer.unref();
  }

  /** Called for every chunk received: proof that the peer is alive. */
  received(): void {
    this.receivedSinceTick = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.receivedSinceTick) {
      this.receivedSinceTick = false;
      this.silentTicks = 0;
      this.awaitingPong = false;
      return;
    }
    this.silentTicks++;
    if (this.awaitingPong) {
      if (this.silentTicks >= 3) {
        this.stop();
        this.onDead();
      }
      return;
    }
    this.awaitingPong = true;
    this.sendPing();
  }
}

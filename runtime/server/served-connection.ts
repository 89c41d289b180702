/**
 * A connection as the Server accounts for it, whatever protocol it speaks: what
 * the connection limit, the idle and handshake sweeps, shedding and graceful
 * drain need to know and do.
 */
export interface ServedConnection {
  /** The protocol's name ("rpcgen", "resp", ...), or "unknown" before the first bytes tell it. */
  readonly protocol: string;
  readonly peer: string;
  /** Epoch ms the socket was accepted. */
  readonly openedAt: number;
  /** Calls whose handlers are still running (or are held waiting for room). */
  readonly inFlight: number;
  /** Epoch ms of the last complete request received or call finished; partial requests do not count. */
  readonly lastActivityAt: number;
  /** True once a complete request has been read. */
  readonly handshakeDone: boolean;
  /** Take no new calls; finish those in flight (binary clients are sent goaway so they go elsewhere). */
  goaway(): void;
  /** Close after writing what is queued; the socket is destroyed if the peer does not close its side soon. */
  end(): void;
  /** Close now, aborting whatever runs. */
  destroy(): void;
}

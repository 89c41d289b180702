import { ParkLot } from "../park-lot.js";

/** What every peer server needs from the harness: the lot its "park" method waits in. */
export interface PeerContext {
  lot: ParkLot;
}

/** A listening peer server. */
export interface PeerServer {
  port: number;
  close(): Promise<void>;
}

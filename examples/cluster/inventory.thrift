/**
 * The inventory service of rpcgen's cluster example: one idempotent read that
 * the client may retry on another provider, and one reservation that must
 * never run twice, so it is never retried.
 */
namespace js inventory

/** Which provider answered: the client counts calls per provider with it. */
struct Served {
  1: required string address,
  2: required string version,
  3: required i32 pid,
}

/** The stock of one item. */
struct Stock {
  1: required string item,
  2: required i32 available,
  3: required Served servedBy,
}

/** A reservation made by `reserve`. */
struct Reservation {
  1: required string id,
  2: required string item,
  3: required i32 quantity,
  4: required Served servedBy,
}

/** Thrown by `reserve` when fewer items are in stock than asked for. */
exception OutOfStock {
  1: string item,
  2: i32 available,
}

service Inventory {
  /**
   * Reads the stock of an item. `delayMs` makes the provider take that long,
   * so a load test can keep many calls in flight. Reading twice is harmless.
   */
  Stock stock(1: string item, 2: i32 delayMs) (rpc.idempotent = "true", rpc.timeout = "5000"),

  /** Reserves items; running it twice would reserve twice, so it is not idempotent. */
  Reservation reserve(1: string item, 2: i32 quantity, 3: i32 delayMs) throws (1: OutOfStock outOfStock) (rpc.timeout = "5000"),
} (version = "1.0.0")

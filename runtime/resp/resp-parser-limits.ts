/** Limits a parser enforces before it allocates anything a peer declared. */
export interface RespParserLimits {
  /** Longest bulk string (or bulk error / verbatim string), in bytes. */
  readonly maxBulkBytes: number;
  /** Most elements one array, set or push (or pairs one map) may declare. */
  readonly maxAggregateLength: number;
  /** Longest line: a simple string, an error, a number, or an inline command. */
  readonly maxLineBytes: number;
  /** Deepest nesting of aggregates. */
  readonly maxDepth: number;
  /**
   * Most bytes one top-level value (one request or one reply) may take on the wire.
   * RespRequestParser also charges each declared argument's object cost against it.
   */
  readonly maxValueBytes: number;
  /** Accept telnet-style inline commands at the top level (servers do, clients don't). */
  readonly inlineCommands: boolean;
}

/** Defaults sized for RPC arguments, far below Redis's own 512 MB bulk limit. */
export const defaultRespParserLimits: RespParserLimits = {
  maxBulkBytes: 16 * 1024 * 1024,
  maxAggregateLength: 1024 * 1024,
  maxLineBytes: 64 * 1024,
  maxDepth: 64,
  maxValueBytes: 64 * 1024 * 1024,
  inlineCommands: false,
};

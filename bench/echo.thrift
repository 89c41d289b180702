// The benchmark's service, shared by rpcgen (through `rpcgen`) and Apache
// Thrift (through `thrift --gen js:node`); bench/echo.proto is its gRPC twin.
namespace js bench

struct EchoMessage {
  1: string text
  2: i32 count
}

struct Inner {
  1: double score
  2: list<i32> samples
  3: map<string, string> labels
}

struct Item {
  1: i32 id
  2: string name
  3: bool active
  4: list<string> tags
  5: map<string, i32> counters
  6: Inner inner
}

service Echo {
  /** Small echo: a ~100-byte string and an i32. */
  EchoMessage echo(1: string text, 2: i32 count)
  /** Bulk echo: the 1 MiB workload. */
  binary echoBytes(1: binary data)
  /** Struct-heavy echo: 100 items with nested containers. */
  list<Item> echoItems(1: list<Item> items)
  /** Answers only once the server is told to release its parked calls (memory test). */
  i32 park(1: i32 id)
}

/** Every transport/protocol pair an Apache Thrift client may speak to a server: each is tested on its own. */
export const thriftPairs = [
  ["framed", "binary"],
  ["framed", "compact"],
  ["buffered", "binary"],
  ["buffered", "compact"],
] as const;

import { createRequire } from "node:module";

/** The generated Apache Thrift code (CommonJS, from bench/gen/thrift), typed as far as the bench uses it. */
export interface ThriftGenerated {
  Echo: { Client: new (...args: never[]) => unknown; Processor: unknown };
  types: {
    EchoMessage: new (fields: { text: string; count: number }) => unknown;
    Item: new (fields: object) => unknown;
    Inner: new (fields: object) => unknown;
  };
}

/** Loads the code bench/generate-stubs.ts wrote. */
export function loadThriftGenerated(): ThriftGenerated {
  const require = createRequire(import.meta.url);
  return {
    Echo: require("./gen/thrift/Echo.js") as ThriftGenerated["Echo"],
    types: require("./gen/thrift/echo_types.js") as ThriftGenerated["types"],
  };
}

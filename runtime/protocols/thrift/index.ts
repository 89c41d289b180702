// The public face of the Apache Thrift protocol: the client side (the server side
// is one of the Server's built-in protocols and needs no import).
export { ThriftChannel, type ThriftChannelOptions, type ThriftChannelEvents } from "./thrift-channel.js";
export { thriftTransportFactory, type ThriftTransportSettings } from "./thrift-transport-factory.js";
export { ApplicationExceptionType, ThriftApplicationError } from "./application-exception.js";
export { thriftProtocol } from "./thrift-protocol.js";

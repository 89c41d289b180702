"""Serves the calculator with Apache Thrift's own Python library (TSimpleServer) on a free loopback port.

usage: calculator_server.py <generated-code-dir> <framed|buffered|header> <binary|compact> <plain|mux> [zlib]
Prints `listening <port>` once it accepts connections. With `header`
(THeaderProtocol, which answers in the client's own protocol), every call
prints `headers <method> <json>` with the info headers it came with and answers
with an `echo-<key>` info header for each of them; `zlib` compresses the replies.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

from thrift.TMultiplexedProcessor import TMultiplexedProcessor
from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.protocol.THeaderProtocol import THeaderProtocolFactory
from thrift.server import TServer
from thrift.transport import TSocket, TTransport
from thrift.transport.THeaderTransport import THeaderTransformID

from calculator import Calculator
from calculator.ttypes import DivideByZero, Report


# TSimpleServer serves one connection at a time: the protocol of the call being handled.
current = None


class HeaderProtocolFactory(THeaderProtocolFactory):
    def __init__(self, zlib_replies):
        super().__init__()
        self.zlib_replies = zlib_replies

    def getProtocol(self, trans):
        global current
        current = super().getProtocol(trans)
        if self.zlib_replies:
            current.add_transform(THeaderTransformID.ZLIB)
        return current


def show_headers(method):
    if current is None:
        return
    headers = {key.decode(): value.decode() for key, value in current.get_headers().items()}
    print("headers %s %s" % (method, json.dumps(headers, sort_keys=True)), flush=True)
    for key, value in headers.items():
        current.set_header(("echo-" + key).encode(), value.encode())


class Handler:
    def add(self, a, b):
        show_headers("add")
        return a + b

    def subtract(self, a, b):
        return a - b

    def multiply(self, a, b):
        return a * b

    def divide(self, dividend, divisor):
        show_headers("divide")
        if divisor == 0:
            raise DivideByZero(message="cannot divide %d by zero" % dividend, dividend=dividend)
        return dividend // divisor

    def log(self, line):
        print("log: " + line, flush=True)

    def calculate(self, batch):
        results = [w.num1 + w.num2 for w in batch]
        return Report(
            results=results,
            countsByOperation={"ADD": len(batch)},
            comments=set(w.comment for w in batch if w.comment is not None),
            mean=sum(results) / len(results) if results else None,
        )


transport_name, protocol_name, mode = sys.argv[2], sys.argv[3], sys.argv[4]
processor = Calculator.Processor(Handler())
if mode == "mux":
    multiplexed = TMultiplexedProcessor()
    multiplexed.registerProcessor("Calculator", processor)
    processor = multiplexed
server_socket = TSocket.TServerSocket(host="127.0.0.1", port=0)
server_socket.listen()
# TSimpleServer.serve() listens again; the socket is already bound to its free port.
server_socket.listen = lambda: None
if transport_name == "header":
    # THeaderProtocol wraps the socket in its own THeaderTransport and reads the subprotocol from each frame.
    transports = TTransport.TTransportFactoryBase()
    protocols = HeaderProtocolFactory(sys.argv[5:6] == ["zlib"])
else:
    transports = TTransport.TFramedTransportFactory() if transport_name == "framed" else TTransport.TBufferedTransportFactory()
    protocols = TCompactProtocol.TCompactProtocolFactory() if protocol_name == "compact" else TBinaryProtocol.TBinaryProtocolFactory()
server = TServer.TSimpleServer(processor, server_socket, transports, protocols)
print("listening %d" % server_socket.handle.getsockname()[1], flush=True)
server.serve()

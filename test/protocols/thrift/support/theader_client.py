"""Calls the calculator over THeader with Apache Thrift's own Python library and prints what it got, as JSON.

usage: theader_client.py <generated-code-dir> <port> <binary|compact> [header=value ...] [--zlib]
Every call carries the given headers (THeaderTransport forgets them after each
message, so they are set again before each call); --zlib compresses every payload.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

from thrift.Thrift import TApplicationException
from thrift.protocol.THeaderProtocol import THeaderProtocol
from thrift.transport import TSocket
from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID, THeaderTransformID

from calculator import Calculator
from calculator.ttypes import DivideByZero

port, protocol_name = int(sys.argv[2]), sys.argv[3]
headers = [arg.split("=", 1) for arg in sys.argv[4:] if "=" in arg]
zlib = "--zlib" in sys.argv[4:]

socket = TSocket.TSocket("127.0.0.1", port)
socket.setTimeout(10000)
subprotocol = THeaderSubprotocolID.COMPACT if protocol_name == "compact" else THeaderSubprotocolID.BINARY
protocol = THeaderProtocol(socket, (THeaderClientType.HEADERS,), subprotocol)
client = Calculator.Client(protocol)
socket.open()
if zlib:
    # Kept by the transport for every message it writes.
    protocol.add_transform(THeaderTransformID.ZLIB)


def with_headers():
    for key, value in headers:
        protocol.set_header(key.encode(), value.encode())


result = {}
try:
    with_headers()
    result["add"] = client.add(1, 2)
    with_headers()
    try:
        client.divide(1, 0)
        result["divide"] = "returned"
    except DivideByZero as error:
        result["divide"] = {"raised": "DivideByZero", "dividend": error.dividend, "message": error.message}
    with_headers()
    result["addAfter"] = client.add(20, 22)
    # What the server's last reply carried: its sequence id and protocol.
    result["replySeqid"] = protocol.trans.sequence_id
    result["replyProtocol"] = protocol.trans.protocol_id
except TApplicationException as error:
    result["applicationException"] = {"type": error.type, "message": error.message}
socket.close()
print(json.dumps(result))

"""Calls the calculator with Apache Thrift's own Python library and prints what it got, as JSON.

usage: calculator_client.py <generated-code-dir> <port> <framed|buffered> <binary|compact> <plain|mux|old-binary>
(`old-binary` is TBinaryProtocol writing the old, non-strict message header.)
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

from thrift.Thrift import TApplicationException, TMessageType
from thrift.protocol import TBinaryProtocol, TCompactProtocol, TMultiplexedProtocol
from thrift.transport import TSocket, TTransport

from calculator import Calculator
from calculator.ttypes import DivideByZero, Operation, Work

port, transport_name, protocol_name, mode = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

socket = TSocket.TSocket("127.0.0.1", port)
socket.setTimeout(10000)
transport = TTransport.TFramedTransport(socket) if transport_name == "framed" else TTransport.TBufferedTransport(socket)
if protocol_name == "compact":
    protocol = TCompactProtocol.TCompactProtocol(transport)
elif mode == "old-binary":
    protocol = TBinaryProtocol.TBinaryProtocol(transport, strictRead=False, strictWrite=False)
else:
    protocol = TBinaryProtocol.TBinaryProtocol(transport)
calls = TMultiplexedProtocol.TMultiplexedProtocol(protocol, "Calculator") if mode == "mux" else protocol
client = Calculator.Client(calls)
transport.open()

result = {"add": client.add(1, 2)}
try:
    client.divide(1, 0)
    result["divide"] = "returned"
except DivideByZero as error:
    result["divide"] = {"raised": "DivideByZero", "dividend": error.dividend, "message": error.message}
result["multiply"] = str(client.multiply(1 << 40, 3))
report = client.calculate([Work(num1=7, num2=2, op=Operation.DIVIDE, comment="seven"), Work(num1=1, num2=2, op=Operation.ADD)])
result["calculate"] = {
    "results": report.results,
    "countsByOperation": report.countsByOperation,
    "comments": sorted(report.comments),
    "mean": report.mean,
}
client.log("hello from python " + mode)

# A method the server does not have, written by hand: Thrift answers with a TApplicationException.
name = "Calculator:nosuch" if mode == "mux" else "nosuch"
protocol.writeMessageBegin(name, TMessageType.CALL, 41)
protocol.writeStructBegin("nosuch_args")
protocol.writeFieldStop()
protocol.writeStructEnd()
protocol.writeMessageEnd()
transport.flush()
(reply_name, reply_type, reply_seqid) = protocol.readMessageBegin()
exception = TApplicationException()
exception.read(protocol)
protocol.readMessageEnd()
if isinstance(reply_name, bytes):  # the old-form header reader hands the name over undecoded
    reply_name = reply_name.decode("utf-8")
result["unknown"] = {"name": reply_name, "type": reply_type, "seqid": reply_seqid, "exceptionType": exception.type, "message": exception.message}

result["addAfter"] = client.add(20, 22)
transport.close()
print(json.dumps(result))

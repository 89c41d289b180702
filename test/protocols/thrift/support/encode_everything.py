"""Writes one fixed value of all-types.thrift's Everything with Apache Thrift's Python library; prints the hex.

usage: encode_everything.py <generated-code-dir> <binary|compact>
The same value is built by apache-codec.test.ts with rpcgen's stubs.
"""
import sys

sys.path.insert(0, sys.argv[1])

from thrift.TSerialization import serialize
from thrift.protocol import TBinaryProtocol, TCompactProtocol

from alltypes.ttypes import Choice, Everything, Inner, Mood

factory = TCompactProtocol.TCompactProtocolFactory() if sys.argv[2] == "compact" else TBinaryProtocol.TBinaryProtocolFactory()
value = Everything(
    yes=False,
    b=-128,
    s=-300,
    i=-(2**31),
    l=-(2**63),
    d=-0.0,
    text="héllo 😀",
    blob=bytes([0, 1, 254, 255]),
    bools=[True, False, False, True],
    shorts={32767},
    longs={"a": [1, -(2**40), 2**63 - 1], "": []},
    inners=[Inner(flag=False, flags=[False, True], name="x"), Inner()],
    mood=Mood.ODD,
    choice=Choice(inner=Inner(flags=[])),
    flagsById={-7: False, 300: True},
    nested=[["a", "b"], [], ["c"]],
    farAway=-300,
)
print(serialize(value, factory).hex())

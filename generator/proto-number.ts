/**
 * The protobuf field number of a Thrift field id, per docs/PROTO-MAPPING.md:
 * 1..18999 stay, 19000..32767 move past protobuf's reserved 19000-19999 range,
 * and 0 and negative ids (a result's `success`, fields written without an id)
 * map to 100000 - id.
 */
export function protoNumber(thriftId: number): number {
  if (thriftId >= 1 && thriftId <= 18999) return thriftId;
  if (thriftId >= 19000) return thriftId + 40000;
  return 100000 - thriftId;
}

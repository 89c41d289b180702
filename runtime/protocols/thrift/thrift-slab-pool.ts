/**
 * The 64 KiB buffers Thrift messages are encoded into (ThriftOutput), shared by
 * every Thrift connection of the process. A connection takes one when it starts
 * a batch and gives it back once the batch has left for the kernel, so an idle
 * connection holds none (a slab kept per connection cost its off-heap bytes and
 * the RSS of every page a reply touched, for the connection's whole life), and
 * a busy one reuses the same slab batch after batch instead of allocating.
 */
export const slabBytes = 64 * 1024;
/** Slabs kept for reuse at most: enough for the connections busy in one turn; more are left to the GC. */
const maxFreeSlabs = 8;
const freeSlabs: Buffer[] = [];

/** A slab of `slabBytes`, reused if one is free. */
export function takeSlab(): Buffer {
  return freeSlabs.pop() ?? Buffer.allocUnsafeSlow(slabBytes);
}

/**
 * Gives back a slab from takeSlab() that nothing reads or writes any more: no
 * view of it may still be waiting in a socket.
 */
export function returnSlab(slab: Buffer): void {
  if (freeSlabs.length < maxFreeSlabs) freeSlabs.push(slab);
}

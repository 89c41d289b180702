/**
 * RESP (the Redis protocol) messages start with a type byte (`*` for a command
 * array, `+ - : $ _ , # ! = ( % ~ > |` for the others) or, for inline commands
 * typed into a terminal, a letter. Binary frames are laid out never to start with
 * any of these, so one byte tells the two protocols apart on a shared port.
 */
const respFirstBytes = new Uint8Array(256);
for (const ch of "*+-:$_,#!=(%~>|") respFirstBytes[ch.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) respFirstBytes[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) respFirstBytes[c] = 1;

/** True when a connection whose first byte is `byte` speaks RESP rather than binary frames. */
export function isRespFirstByte(byte: number): boolean {
  return respFirstBytes[byte] === 1;
}

/** A malformed or unexpected byte sequence from the other side of a connection. */
export class WireDecodeError extends Error {
  readonly code = 'WIRE_DECODE';
  /** Byte offset inside the buffer being decoded, when known. */
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'WireDecodeError';
    this.offset = offset;
  }
}

/** A value that cannot be encoded into a request (bad caller input). */
export class WireEncodeError extends Error {
  readonly code = 'WIRE_ENCODE';
  constructor(message: string) {
    super(message);
    this.name = 'WireEncodeError';
  }
}

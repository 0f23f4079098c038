/** A malformed `.asb` input, with where it went wrong (1-based line and column, byte-wise). */
export class AsbParseError extends Error {
  readonly code = 'ASB_PARSE';
  /** The detail without the location suffix. */
  readonly detail: string;
  constructor(
    detail: string,
    readonly file: string | undefined,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} (${file === undefined ? '' : `file ${file}, `}line ${line}, col ${column})`);
    this.name = 'AsbParseError';
    this.detail = detail;
  }
}

/** A value the encoder cannot represent in the `.asb` format. */
export class AsbEncodeError extends Error {
  readonly code = 'ASB_ENCODE';
  constructor(message: string) {
    super(message);
    this.name = 'AsbEncodeError';
  }
}

/** Printable form of one byte for messages, like the C tool's `print_char`. */
export function printByte(b: number): string {
  // As the C tools' print_char: a printable byte in double quotes, anything else as \xNN.
  if (b >= 0x20 && b < 0x7f) return `"${String.fromCharCode(b)}"`;
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

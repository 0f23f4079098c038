/** A DataView over exactly the bytes of `buffer` (not its whole ArrayBuffer). */
export function dataViewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * A DataView of the last buffer asked for, made again only when another buffer comes: for hot
 * paths that read or write whole words of buffers that repeat (one reply body after another).
 */
export class LastDataView {
  private buffer: Uint8Array | undefined;
  private view: DataView | undefined;

  of(buffer: Uint8Array): DataView {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = dataViewOf(buffer);
    }
    return this.view!;
  }
}

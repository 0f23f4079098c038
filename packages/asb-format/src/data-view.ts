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
      this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    return this.view!;
  }
}

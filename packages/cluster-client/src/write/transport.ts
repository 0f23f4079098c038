// What the write executors need from the net layer, declared structurally so they can be tested
// against a fake server and adapted to the cluster (`net/`) with a few lines.

/** A cluster node; only its name is needed to group records per node. */
export interface WriteNode {
  readonly name: string;
}

export interface WriteTransport<N extends WriteNode = WriteNode> {
  /** The node that masters `partitionId` of `namespace` (replica 0). */
  masterNode(namespace: string, partitionId: number): N;
  /**
   * Sends one AS_MSG request to `node` on a connection of its pool and hands every reply proto to
   * `onReply` (type 3 or 4, body without its 8-byte header) until it returns true; resolves then.
   * Rejects on connection errors and timeouts (the connection is then discarded).
   */
  exchange(node: N, request: Buffer, onReply: (protoType: number, body: Buffer) => boolean): Promise<void>;
  /** One info command on any node; resolves with its value. */
  info(command: string): Promise<string>;
}

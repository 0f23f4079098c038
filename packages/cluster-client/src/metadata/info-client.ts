// What the metadata helpers need from the cluster; the net-layer `Cluster` is one.

export interface InfoClient {
  /** One info command on any node; resolves with its raw value. */
  info(command: string): Promise<string>;
  /** One info command on every node; one value per node. */
  infoAll(command: string): Promise<ReadonlyMap<unknown, string>>;
}

/** Waiting knobs shared by the polling helpers (injectable for tests). */
export interface PollOptions {
  /** Pause between polls, ms. */
  intervalMs?: number;
  /** Give up after this many polls (default: never). */
  maxPolls?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An info command answered with an error, or a metadata step that could not complete. */
export class MetadataError extends Error {
  readonly code: string;
  /** The info command involved (never holds secrets: UDF content is left out). */
  readonly command: string;
  constructor(code: string, command: string, message: string) {
    super(`${command}: ${message}`);
    this.name = 'MetadataError';
    this.code = code;
    this.command = command;
  }
}

/** `major.minor.patch` of a build string as one comparable number (8.1.2.0 → 80102). */
export function buildNumber(build: string): number {
  const [major = 0, minor = 0, patch = 0] = build.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return major * 10000 + minor * 100 + patch;
}

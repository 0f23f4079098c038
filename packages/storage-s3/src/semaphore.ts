/** Bounds how many async tasks run at once (S3 requests in flight across all files). */
export class Semaphore {
  private free: number;
  private readonly queue: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Waits for a slot; call the returned function exactly once to give it back. */
  async take(): Promise<() => void> {
    if (this.free > 0) {
      this.free--;
    } else {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const give = await this.take();
    try {
      return await task();
    } finally {
      give();
    }
  }
}

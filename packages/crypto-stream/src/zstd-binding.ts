// The native zstd binding, loaded on first use: finding and loading it costs ~15 ms at start-up
// (platform detection, a native module), which runs without compression should not pay.
type ZstdBinding = typeof import('@mongodb-js/zstd');

let binding: Promise<ZstdBinding> | undefined;

export function loadZstd(): Promise<ZstdBinding> {
  binding ??= import('@mongodb-js/zstd');
  return binding;
}

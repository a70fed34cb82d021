import type { Command } from 'commander';
import type { InventoryRunOptions } from '../scan/inventory.ts';
import type { Io } from './context.ts';

export interface ImageCliOptions {
  platform?: string;
  insecure?: boolean;
  caFile?: string;
  cacheDir?: string;
  cache: boolean;
  quiet?: boolean;
}

/** Options every command that reads images shares (sbom, scan, gate). */
export function imageOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--insecure', 'allow plain HTTP and unverified TLS for non-loopback registries')
    .option('--ca-file <pem>', 'extra CA certificates for registries')
    .option('--cache-dir <dir>', 'layer analysis cache (default: $XDG_CACHE_HOME/portcullis)')
    .option('--no-cache', 'do not read or write the layer cache')
    .option('-q, --quiet', 'no progress display or warnings on stderr');
}

export function inventoryOptionsFrom(opts: ImageCliOptions, io: Io, progress: { update(text: string): void }): InventoryRunOptions {
  let done = 0;
  let cached = 0;
  let cacheWarned = false;
  /** Blob bytes read and expected, per layer being read now. */
  const reading = new Map<number, { read: number; size: number }>();
  return {
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.cache === false ? { cacheDir: false as const } : opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    onProgress(event) {
      switch (event.type) {
        case 'cache-error':
          // Once per run: a read-only cache slows scans down but does not change their result.
          if (!cacheWarned && !opts.quiet) io.stderr.write(`portcullis: warning: layer cache not written (${event.message})\n`);
          cacheWarned = true;
          return;
        case 'layer-start':
          reading.set(event.index, { read: 0, size: event.size });
          break;
        case 'layer-bytes':
          reading.set(event.index, { read: event.read, size: event.size });
          break;
        case 'layer-done':
          reading.delete(event.index);
          done++;
          break;
        case 'layer-cached':
          cached++;
          done++;
          break;
      }
      let read = 0;
      let size = 0;
      for (const r of reading.values()) {
        read += r.read;
        size += r.size;
      }
      const busy = reading.size ? `, reading ${reading.size} (${mib(read)}/${mib(size)} MiB)` : '';
      progress.update(`layers analysed ${done}/${event.total}${cached ? ` (${cached} cached)` : ''}${busy}`);
    },
  };
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0);

/** Commander's accumulator for a repeatable flag (`--vex A --vex B`), with `[]` as its default. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Child process of bench/scan.ts: the warm (cached) inventory of one image repeated in one
 * long-lived process, as the gate and the webhook run it — no process start-up or module
 * loading in the figure. Prints the median milliseconds per image as JSON on stdout.
 *
 * Usage: node bench/lib/warm-in-process.ts REFERENCE CACHE_DIR RUNS
 */
import { renderReport } from '../../src/report/index.ts';
import { inventoryImage } from '../../src/scan/inventory.ts';
import { median } from './measure.ts';

const [reference, cacheDir, runs] = process.argv.slice(2) as [string, string, string];
const times: number[] = [];
for (let i = 0; i <= Number(runs); i++) {
  const start = performance.now();
  const run = await inventoryImage(reference, { cacheDir });
  await renderReport('json', run.result, { toolVersion: 'bench' });
  if (!run.inventory.layers.every((l) => l.cached)) throw new Error('the cache was not warm');
  if (i > 0) times.push(performance.now() - start); // the first run loads modules
}
process.stdout.write(`${JSON.stringify({ ms: median(times) })}\n`);

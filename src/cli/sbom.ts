import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { VERSION } from './context.ts';
import type { Io } from './context.ts';
import { progressLine, writeOutput } from './output.ts';
import { imageOptions, inventoryOptionsFrom } from './image-options.ts';
import type { ImageCliOptions } from './image-options.ts';

interface SbomOptions extends ImageCliOptions {
  format: string;
  output?: string;
}

export function registerSbom(program: Command, io: Io, _setExit: (code: number) => void): void {
  const cmd = program
    .command('sbom')
    .description('list what an image contains (OS and packages) as CycloneDX, SPDX or Portcullis JSON; needs no vulnerability DB')
    .argument('<image>', 'image reference: registry/repo:tag, repo@sha256:..., oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:TAG]')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['cyclonedx', 'spdx-json', 'json']).default('cyclonedx'))
    .option('-o, --output <file>', 'write the SBOM to a file instead of stdout');
  imageOptions(cmd);
  cmd.action(async (image: string, opts: SbomOptions) => {
    if (!image) throw new UsageError('USAGE', 'an image reference is required');
    const progress = progressLine(io, !opts.quiet);
    const { inventoryImage } = await import('../scan/inventory.ts');
    const { renderReport } = await import('../report/index.ts');
    try {
      const run = await inventoryImage(image, inventoryOptionsFrom(opts, io, progress));
      progress.done();
      for (const w of run.result.warnings ?? []) if (!opts.quiet) io.stderr.write(`portcullis: warning: ${w}\n`);
      await writeOutput(io, await renderReport(opts.format, run.result, { toolVersion: VERSION }), opts.output);
    } finally {
      progress.done();
    }
  });
}

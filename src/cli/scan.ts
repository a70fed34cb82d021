import type { Command } from 'commander';
import type { Io } from './context.ts';

/** `portcullis scan`: not registered yet (work in progress). */
export function registerScan(_program: Command, _io: Io, _setExit: (code: number) => void): void {}

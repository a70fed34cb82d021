import type { Command } from 'commander';
import type { Io } from './context.ts';

/** `portcullis db`: not registered yet (work in progress). */
export function registerDb(_program: Command, _io: Io, _setExit: (code: number) => void): void {}

import type { Command } from 'commander';
import type { Io } from './context.ts';

/** `portcullis gate`: not registered yet (work in progress). */
export function registerGate(_program: Command, _io: Io, _setExit: (code: number) => void): void {}

import type { Command } from 'commander';
import type { Io } from './context.ts';

/** `portcullis webhook`: not registered yet (work in progress). */
export function registerWebhook(_program: Command, _io: Io, _setExit: (code: number) => void): void {}

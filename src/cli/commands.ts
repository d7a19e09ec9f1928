import type { Command } from './command.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';

/** Every subcommand, in the order `relay-metrics --help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, reportCommand];

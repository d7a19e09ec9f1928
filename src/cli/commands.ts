import { backfillCommand } from './backfill-command.js';
import type { Command } from './command.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';
import { tailCommand } from './tail-command.js';

/** Every subcommand, in the order `relay-metrics --help` lists them. */
export const COMMANDS: readonly Command[] = [serveCommand, tailCommand, reportCommand, backfillCommand];

/** A subcommand of the `relay-metrics` CLI. */
export interface Command {
  name: string;
  summary: string;
  /** Full help text, printed for `--help`. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit status. */
  run(args: string[]): Promise<number>;
}

/**
 * The logging calls the library makes: pino's signature (fields first, then a
 * constant message), so a pino logger can be passed as it is.
 */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A logger that drops everything: the library is silent unless given a logger. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};

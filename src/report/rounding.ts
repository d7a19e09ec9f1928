// Sums of floating-point money carry noise such as 12.340000000000002; rows
// are rounded once, on output, so accumulators keep full precision.

/** Rounds US dollars to a millionth, below the smallest per-call cost in practice. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Rounds milliseconds (and minutes) to one decimal. */
export function roundMs(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Rounds a ratio to four decimals. */
export function roundRate(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

/** Divides, returning `empty` when the divisor is 0. */
export function ratioOr<T>(numerator: number, denominator: number, empty: T): number | T {
  return denominator === 0 ? empty : numerator / denominator;
}

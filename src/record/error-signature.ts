/** Maximum signature length; longer ones are cut, as the original dashboard did. */
export const MAX_SIGNATURE_LENGTH = 120;

/**
 * Characters of an error text the rules read. Several rules try a match at
 * every word start and scan to the end of a dotted or dashed run, so their
 * cost grows with the square of the length. The cut keeps one hostile text
 * from stalling a report.
 * NOTE: a placeholder much shorter than its match (a long URL) can leave a
 * signature shorter than MAX_SIGNATURE_LENGTH that lacks the text past the cut.
 */
export const MAX_SCANNED_LENGTH = 512;

// Rules run in this order, because a URL contains host names and ports, a
// timestamp contains clock times, and a UUID contains hex runs: the wider
// pattern must claim its text before a narrower one splits it.
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '<url>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<timestamp>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<date>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // A clock time is a timestamp, not a host and port: "12:34:56" must not become "12:<port>".
  [/(?<![\w.:])\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?![\w:])/g, '<time>'],
  // A port follows an IPv4 address, `localhost` or a dotted host name.
  [/\b((?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi, '$1:<port>'],
  // Hex runs of 8 or more characters with at least one digit: ids, hashes, addresses.
  [/(?<![0-9a-z])(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{8,}(?![0-9a-z])/gi, '<hex>'],
  [/(?<![\w.])\d{4,}(?![\d.])/g, '<number>'],
];

/**
 * Normalizes a raw error text so messages that differ only in ids, times,
 * addresses and large numbers group under one signature. Returns at most
 * MAX_SIGNATURE_LENGTH characters.
 */
export function errorSignature(errorText: string): string {
  let signature = errorText.slice(0, MAX_SCANNED_LENGTH);
  for (const [pattern, placeholder] of RULES) signature = signature.replace(pattern, placeholder);

  return signature.replace(/\s+/g, ' ').trim().slice(0, MAX_SIGNATURE_LENGTH);
}

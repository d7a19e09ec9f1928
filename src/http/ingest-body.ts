import { HttpError } from './errors.js';

/** One item of an ingest body: a parsed value, or why its line could not be parsed. */
export type IngestItem = { line: number; value: unknown } | { line: number; error: string };

export const JSON_TYPES = ['application/json'];
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];

/**
 * Splits an ingest body into items. A JSON body contains one object or an array
 * of them; its items are numbered from 1 in array order. An NDJSON body contains
 * one value per line, numbered by line, and blank lines are skipped. A JSON
 * body that does not parse is rejected whole; an NDJSON line that does not
 * parse is rejected alone.
 */
export function parseIngestBody(body: string, isNdjson: boolean): IngestItem[] {
  if (body.trim() === '') {
    throw new HttpError('empty_body', 'request body is empty: send one JSON object, a JSON array, or NDJSON lines');
  }
  return isNdjson ? parseNdjson(body) : parseJson(body);
}

function parseJson(body: string): IngestItem[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new HttpError(
      'invalid_json',
      `request body is not valid JSON (${(error as Error).message}); for one record per line use Content-Type: application/x-ndjson`,
    );
  }

  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (values.length === 0) {
    throw new HttpError('empty_body', 'request body is an empty JSON array: put at least one record object in it');
  }
  return values.map((item, index) => ({ line: index + 1, value: item }));
}

function parseNdjson(body: string): IngestItem[] {
  const items: IngestItem[] = [];
  const lines = body.split('\n');

  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;

    try {
      items.push({ line: index + 1, value: JSON.parse(line) });
    } catch (error) {
      items.push({ line: index + 1, error: `line is not valid JSON: ${(error as Error).message}` });
    }
  });

  if (items.length === 0) {
    throw new HttpError('empty_body', 'request body contains only blank lines: send one JSON object per line');
  }
  return items;
}

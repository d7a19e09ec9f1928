import type { FileHandle } from 'node:fs/promises';
import { readLineChunks } from '../audit/line-chunks.js';

/**
 * Lines of a file that replaced the followed one by rename, split into those
 * the old file already had (counted before) and those written since.
 */
export interface RewrittenLines {
  newLines: string[];
  /** Offset just after the last complete line of the new file. */
  endOffset: number;
}

/**
 * Compares a rewritten log with the file it replaced, which the follower still
 * has open although it is unlinked. A delete by job id writes the kept lines
 * in their old order, so the new file is a subsequence of the old one followed
 * by lines appended after the rewrite. Each new line is looked up by walking
 * the old file forward; the first line not found there, and every line after
 * it, is new.
 *
 * This takes one extra read of the old file and constant memory, where a set
 * of hashes of counted lines would grow with the file. A new record whose line
 * equals, byte for byte, a later line of the old file would be taken as
 * counted. Records carry a millisecond `ts` and a job id, so that needs two
 * identical records.
 */
export async function splitRewrittenLines(oldHandle: FileHandle, oldEndOffset: number, newHandle: FileHandle): Promise<RewrittenLines> {
  const oldChunks = readLineChunks(oldHandle, { endOffset: oldEndOffset });
  let oldLines: string[] = [];
  let oldIndex = 0;
  let oldExhausted = false;

  const foundInOld = async (line: string): Promise<boolean> => {
    while (!oldExhausted) {
      for (; oldIndex < oldLines.length; oldIndex += 1) {
        if (oldLines[oldIndex] === line) {
          oldIndex += 1;
          return true;
        }
      }
      const step = await oldChunks.next();
      if (step.done === true) oldExhausted = true;
      else {
        oldLines = step.value.lines;
        oldIndex = 0;
      }
    }
    return false;
  };

  const newLines: string[] = [];
  let endOffset = 0;
  for await (const chunk of readLineChunks(newHandle)) {
    for (const line of chunk.lines) {
      if (newLines.length > 0 || !(await foundInOld(line))) newLines.push(line);
    }
    endOffset = chunk.endOffset;
  }
  return { newLines, endOffset };
}

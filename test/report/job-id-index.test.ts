import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobIdIndex } from '../../src/report/job-id-index.js';

describe('JobIdIndex', () => {
  it('numbers any ids as a Map would', () => {
    // Short ids from a small alphabet repeat often; full Unicode, lone surrogates included, tests the hash on any code unit.
    const idArbitrary = fc.oneof(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '\ud800'), maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 8 }));

    fc.assert(
      fc.property(fc.array(idArbitrary, { maxLength: 200 }), (ids) => {
        const index = new JobIdIndex();
        const reference = new Map<string, number>();

        for (const id of ids) {
          if (!reference.has(id)) reference.set(id, reference.size);
          expect(index.indexOrAdd(id)).toBe(reference.get(id));
        }
        expect(index.size).toBe(reference.size);
        for (const [id, number] of reference) expect(index.idAt(number)).toBe(id);
      }),
    );
  });

  it('finds ids after growth across pages', () => {
    const index = new JobIdIndex();
    const count = 50_000;
    for (let job = 0; job < count; job += 1) expect(index.indexOrAdd(`j_${job.toString(16)}-7`)).toBe(job);

    expect(index.size).toBe(count);
    for (let job = 0; job < count; job += 997) {
      // A string built anew, as JSON.parse returns it, is found by value.
      expect(index.indexOrAdd(['j_', job.toString(16), '-7'].join(''))).toBe(job);
      expect(index.idAt(job)).toBe(`j_${job.toString(16)}-7`);
    }
    expect(index.indexOrAdd('j_new')).toBe(count);
  });
});

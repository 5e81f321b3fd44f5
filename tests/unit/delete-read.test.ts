import { describe, expect, it } from 'vitest';
import { idRuns } from '../../api/db/delete-read.ts';

describe('idRuns (deleting exactly the outbox rows read)', () => {
  it('groups the ids read into runs of consecutive ids, leaving every gap out', () => {
    expect(idRuns([])).toEqual([]);
    expect(idRuns([7])).toEqual([[7, 7]]);
    expect(idRuns([5, 3, 4, 9, 10, 12])).toEqual([[3, 5], [9, 10], [12, 12]]);
    // a gap of one (an uncommitted or rolled-back id) splits a run
    expect(idRuns([1, 2, 4, 5])).toEqual([[1, 2], [4, 5]]);
    expect(idRuns([2, 2, 3])).toEqual([[2, 3]]);
  });
});

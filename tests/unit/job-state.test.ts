import { computeJobState, type JobParameters } from 'agenda';
import { describe, expect, it } from 'vitest';
import { jobState } from '../../jobs/backends/job-state.ts';

// The SQL store computes job states with a copy of Agenda's rules (so reading the store loads no
// Agenda). Every combination of the fields the rules read, against Agenda's own function: a change
// upstream fails here instead of drifting.

describe('jobState', () => {
  const now = new Date('2026-11-25T12:00:00.000Z');
  const at = (offset: number) => new Date(now.getTime() + offset);
  // none, past, now, future, plus the instants the failed/finished comparison turns on
  const instants = [undefined, at(-60_000), at(-1000), now, at(1000)];
  const nextRuns = [undefined, null, at(-1000), now, at(1000)];

  const cases: JobParameters[] = [];
  for (const lockedAt of instants)
    for (const failedAt of instants)
      for (const lastFinishedAt of instants)
        for (const nextRunAt of nextRuns)
          for (const repeatInterval of [undefined, '5000', 'one minute'])
            cases.push({ name: 'j', priority: 0, type: 'normal', data: {}, lockedAt, failedAt, lastFinishedAt, nextRunAt: nextRunAt as Date | null, repeatInterval });

  it(`agrees with Agenda's computeJobState on all ${cases.length} combinations`, () => {
    const differ = cases.filter((c) => jobState(c, now) !== computeJobState(c, now));
    expect(differ).toEqual([]);
    // and the table reaches every state the rules can give
    expect(new Set(cases.map((c) => jobState(c, now)))).toEqual(new Set(['running', 'failed', 'repeating', 'scheduled', 'queued', 'completed']));
  });

  it('takes the current time when none is given', () => {
    expect(jobState({ nextRunAt: new Date(Date.now() + 60_000) })).toBe('scheduled');
    expect(jobState({ nextRunAt: new Date(Date.now() - 60_000) })).toBe('queued');
  });
});

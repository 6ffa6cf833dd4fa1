import { describe, expect, it } from 'vitest';
import { planTree, stepTarget } from './plan-tree.js';
import { formatTable } from './table.js';
import { clip, formatDuration, formatTime, shortJson } from './text-format.js';

describe('text formats', () => {
  it('durations read at a glance', () => {
    expect([850, 4200, 185_000, 7_260_000, -1].map(formatDuration)).toEqual(['850ms', '4.2s', '3m 05s', '2h 01m', '-']);
  });

  it('times to the second in UTC; none is a dash', () => {
    expect([formatTime('2026-01-02T03:04:05.678Z'), formatTime(null)]).toEqual(['2026-01-02 03:04:05Z', '-']);
  });

  it('clip keeps one line within its width, by display width', () => {
    expect(clip('a\nb', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
    expect(clip('日本語テキスト', 7)).toBe('日本語…');
    expect(shortJson({ a: 'x'.repeat(100) }, 12)).toBe('{"a":"xxxxx…');
  });
});

describe('formatTable', () => {
  it('aligns columns by display width, and does not pad the last one', () => {
    expect(
      formatTable(
        ['ID', 'NAME'],
        [
          ['p1', '日本'],
          ['project-2', 'x'],
        ],
      ),
    ).toEqual(['ID         NAME', 'p1         日本', 'project-2  x']);
  });
});

describe('planTree', () => {
  it('draws groups and steps with what they call, and extra detail in a column', () => {
    const plan = {
      steps: [
        { id: 'a', target: 'weather@^2' },
        { id: 'bb', target: { capability: 'search' } },
        { id: 'ok', approval: { prompt: 'Go?' } },
      ],
    };
    expect(planTree(plan, [['a', 'bb'], ['ok']], (id) => (id === 'ok' ? 'pending' : 'done'))).toEqual([
      'Plan: 3 steps in 2 parallel groups',
      '├─ group 1',
      '│  ├─ a   → weather@^2         done',
      '│  └─ bb  → capability search  done',
      '└─ group 2',
      '   └─ ok  → approval           pending',
    ]);
  });

  it('shows steps no group names in a last group rather than losing them', () => {
    expect(
      planTree(
        {
          steps: [
            { id: 'a', target: 't' },
            { id: 'b', target: 't' },
          ],
        },
        [['a']],
      ).at(-1),
    ).toBe('   └─ b  → t');
    expect(stepTarget({ id: 'x', target: { name: 'n', version: '1.x' } })).toBe('n@1.x');
  });
});
